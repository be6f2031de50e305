"""What every function's interpreter is told by its environment, beyond its own settings: one table
read by the CDK stack (each function's environment) and the local stack (its process's).

pydantic looks for plugins on its first model by reading the entry points of every installed
distribution (about 8 ms of a cold start here); we use no pydantic plugin, so it is told not to look
(`PYDANTIC_DISABLE_PLUGINS`, pydantic's documented switch; ADR 0039).
"""

from __future__ import annotations

INTERPRETER_ENVIRONMENT: dict[str, str] = {"PYDANTIC_DISABLE_PLUGINS": "__all__"}
