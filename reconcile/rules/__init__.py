"""One rule per module; each registers itself with reconcile.registry.register."""
