"""The staff API's own modules; a package named after the function, so that the local cloud
can host several functions in one interpreter without module name clashes."""
