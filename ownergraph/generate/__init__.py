"""Seeded synthetic worlds for tests, benchmarks and the demo (see ``world.generate``)."""
