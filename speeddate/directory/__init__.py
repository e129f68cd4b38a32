"""The partner directory: people and organisations, their history, import, merge, edit and export."""
