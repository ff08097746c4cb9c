"""Pydantic models of the /api/v1 bodies: what a client sends and gets.

They are the single description of each shape: spectree validates requests
and responses against them and writes them into the OpenAPI document.
"""
