"""Writes of teacher training, one module per step: programs (with sessions and quotas),
enrollment (with the waitlist), attendance and assessment, completion and certificates."""
