"""factory_boy factories, one module per app: `from tests.factories import organisations as f`."""
