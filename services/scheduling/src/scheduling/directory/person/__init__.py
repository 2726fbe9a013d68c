"""People: staff with roles at schools and partnerships, expertise, training, availability and
conflicts of interest."""
