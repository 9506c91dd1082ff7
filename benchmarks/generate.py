"""A deterministic generator of large Slate documents, for benchmarks and scale tests.

usage: python3 benchmarks/generate.py N OUTDIR   (N endpoints; about 2.4 KB of Markdown each)
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

ENDPOINTS_PER_INCLUDE = 50
RESOURCES = [
    "kitten",
    "order",
    "invoice",
    "customer",
    "webhook",
    "payment",
    "shipment",
    "coupon",
    "refund",
    "subscription",
    "product",
    "review",
    "ticket",
    "session",
    "report",
    "token",
]
VERBS = [
    ("GET", "Get", "a specific"),
    ("GET", "List", "all"),
    ("POST", "Create", "a new"),
    ("PUT", "Update", "an existing"),
    ("DELETE", "Delete", "a specific"),
]
ASIDES = ["notice", "warning", "success"]


def _response(rng: random.Random, resource: str, index: int) -> str:
    body = {
        "id": index,
        "object": resource,
        "name": f"{resource.title()} {index}",
        "created_at": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:{rng.randint(0, 59):02d}:00Z",
        "status": rng.choice(["active", "pending", "archived"]),
        "amount": round(rng.uniform(1, 10000), 2),
        "metadata": {f"key_{k}": f"value {index}-{k}" for k in range(rng.randint(2, 5))},
        "links": [
            {"rel": rel, "href": f"https://api.example.com/v2/{resource}s/{index}/{rel}"}
            for rel in ("self", "owner", "history")[: rng.randint(1, 3)]
        ],
        "flags": {"test_mode": rng.random() < 0.5, "deleted": False, "archived_reason": None},
        "owner": {
            "id": rng.randint(1, 10**6),
            "email": f"owner{index}@example.com",
            "roles": ["admin", "billing"],
        },
    }
    return json.dumps(body, indent=2)


def endpoint(rng: random.Random, index: int) -> str:
    resource = RESOURCES[index % len(RESOURCES)]
    method, verb, article = VERBS[index % len(VERBS)]
    path = f"/v2/{resource}s" + ("" if verb in ("List", "Create") else "/{id}")
    name = f"{verb} {article} {resource} {index}"
    params = "\n".join(
        f"{p} | {t} | {d}"
        for p, t, d in [
            ("id", "integer", f"The ID of the {resource} to act on."),
            ("include", "string", f"Related objects to expand, e.g. `owner` of {resource} {index}."),
            ("limit", "integer", f"At most this many results (default {rng.randint(10, 100)})."),
            ("cursor", "string", "Where the previous page stopped."),
        ][: rng.randint(2, 4)]
    )
    return f"""## {name}

```shell
curl "https://api.example.com{path.replace("{id}", str(index))}" \\
  -X {method} \\
  -H "Authorization: Bearer meowmeowmeow"
```

```python
import example

api = example.Client("meowmeowmeow")
result = api.{resource}s.{verb.lower()}({index})
print(result["status"])
```

```javascript
const example = require('example');

const api = example.client('meowmeowmeow');
const result = await api.{resource}s.{verb.lower()}({index});
console.log(result.status);
```

```ruby
require 'example'

api = Example::Client.new('meowmeowmeow')
result = api.{resource}s.{verb.lower()}({index})
puts result[:status]
```

> The above command returns JSON structured like this:

```json
{_response(rng, resource, index)}
```

This endpoint performs *{verb.lower()}* on {article} {resource} (number {index}). It is rate limited to
{rng.randint(10, 500)} requests per minute, and every response carries a `request_id` you can quote to support.

Changes made through this endpoint are recorded in the audit log of the account that owns {resource} {index},
with the **API key** that made them. Requests that fail validation return `422` with a list of the fields
at fault; see [Errors](#errors) for the full list of codes and what to do about each.

### HTTP Request

`{method} https://api.example.com{path}`

### Query Parameters

Parameter | Type | Description
--------- | ---- | -----------
{params}

<aside class="{ASIDES[index % 3]}">Remember: {resource} {index} requests need the <code>{resource}s:{verb.lower()}</code> scope.</aside>
"""


def generate(n: int, outdir: Path) -> int:
    """Write an N-endpoint Slate project (index + includes) into `outdir`; return its Markdown bytes."""
    rng = random.Random(n)
    includes_dir = outdir / "source" / "includes"
    includes_dir.mkdir(parents=True, exist_ok=True)
    names, total = [], 0
    for group in range(0, n, ENDPOINTS_PER_INCLUDE):
        name = f"group_{group // ENDPOINTS_PER_INCLUDE:04d}"
        resource = RESOURCES[(group // ENDPOINTS_PER_INCLUDE) % len(RESOURCES)]
        text = (
            f"# {resource.title()}s, part {group // ENDPOINTS_PER_INCLUDE}\n\n"
            f"Endpoints {group} to {min(n, group + ENDPOINTS_PER_INCLUDE) - 1}.\n\n"
        )
        text += "\n".join(endpoint(rng, i) for i in range(group, min(n, group + ENDPOINTS_PER_INCLUDE)))
        (includes_dir / f"_{name}.md").write_text(text, encoding="utf-8")
        names.append(name)
        total += len(text.encode())
    index = (
        "---\ntitle: Generated API\nlanguage_tabs:\n  - shell: cURL\n  - python: Python\n"
        "  - javascript: JavaScript\n  - ruby: Ruby\ntoc_footers:\n  - <a href='#'>Sign up</a>\nincludes:\n"
        + "".join(f"  - {name}\n" for name in names)
        + "search: true\n---\n\n# Introduction\n\n"
        f"A generated API reference with {n} endpoints.\n"
    )
    (outdir / "source" / "index.html.md").write_text(index, encoding="utf-8")
    return total + len(index.encode())


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    total = generate(int(argv[1]), Path(argv[2]))
    print(f"{argv[2]}: {int(argv[1])} endpoints, {total} bytes of Markdown")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
