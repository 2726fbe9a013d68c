"""An LA's areas (county quadrants): groups of its partnerships, a scope of the insights."""
