"""LangGraph's runs API over extraction jobs: a run is an extraction job, its assistant_id
names an extraction profile, its thread is the job's debounce key."""
