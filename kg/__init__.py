"""kg: the knowledge graph of the Danish municipalities' common IT architecture."""

__version__ = "0.1.0"
