"""Domain types and rules that every layer may import: what a memory, a job, a key, a run,
a caller and a namespace are. Nothing here touches the database, HTTP or the store: this
package imports only the standard library, LangGraph's item types, pydantic (the item view
the doors extend), app.errors and app.config.
"""
