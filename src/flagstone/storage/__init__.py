"""What one build keeps for the next: the content-addressed store and the up-to-date stamp."""
