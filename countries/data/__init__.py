"""The catalogue's own data file (countries.csv) and the script that derives it (build.py)."""
