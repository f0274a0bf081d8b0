"""The liaison registry: each institution's designated liaison body and persons (联络机构、联络人),
with validity periods, a history of changes and the directory between two institutions."""
