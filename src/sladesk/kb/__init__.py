"""The knowledge base: Markdown articles, public or internal, searched for self-help."""
