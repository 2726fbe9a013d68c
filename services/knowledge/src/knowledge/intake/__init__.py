"""The intake wing: what the knowledge service takes in and keeps. The directory read model, the
theme taxonomy, the ingested reviews with their cells, the rollups that sum them, and the
search index. It never imports the answers wing."""
