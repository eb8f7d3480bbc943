"""The agent read model: workload, response and resolution figures per agent."""
