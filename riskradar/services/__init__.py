"""Domain services: plain functions over a session and plain data, called by CLI, web and jobs."""
