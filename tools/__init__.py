"""The maintainers' tools, run from the repository root as modules: ``python -m tools.build_notebooks``,
``python -m tools.badges``, ``python -m tools.readme_figure``, ``python -m tools.cheatsheet``, ``python -m
tools.new_lesson``. ``tools.course`` holds what they share about the lessons (badges, setup cell, README table),
``tools.pictures`` the committed pictures that tests can prove current.
"""
