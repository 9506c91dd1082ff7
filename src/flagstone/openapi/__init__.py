"""OpenAPI and Swagger documents in: a spec becomes Slate Markdown (operations, schemas, code samples)."""
