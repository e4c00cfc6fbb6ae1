"""Public schema: PDPO requests, refusal log, deletion certificates."""
