"""The base of the service's pydantic models."""

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """A pydantic model whose validator and serializer are built when first used, not at import: a function
    imports many models it never uses in a given invocation, and building them all lengthens its cold start
    (docs/deploy.md, "Cold start")."""

    model_config = ConfigDict(defer_build=True)
