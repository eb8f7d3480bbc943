"""Developer tools: checks run by `make lint`, and the throwaway PostgreSQL the tests
and benchmarks use. Not shipped: nothing in the shipped packages imports them."""
