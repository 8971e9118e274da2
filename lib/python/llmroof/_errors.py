"""Exceptions of the binding."""


class LlmroofError(Exception):
    """A call into libllmroof failed.

    code     llmroof.Status (a plain int for a status this binding does not know)
    message  the library's one-line message
    file     the file (or the `name` given to load_string) the error is in; "" if none
    line, column  1-based position in that file; 0 when not tied to a position

    str() is "file:line:column: message", as the llmroof tool prints errors.
    """

    def __init__(self, code, message, file="", line=0, column=0):
        super().__init__(code, message, file, line, column)
        self.code = code
        self.message = message
        self.file = file
        self.line = line
        self.column = column

    def __str__(self):
        where = self.file
        if self.line:
            where = "%s:%d:%d" % (where, self.line, self.column)
        return "%s: %s" % (where, self.message) if where else self.message

    def __repr__(self):
        code = getattr(self.code, "name", self.code)
        return "LlmroofError(%s, %r, file=%r, line=%d, column=%d)" % (
            code, self.message, self.file, self.line, self.column)


class LibraryError(ImportError):
    """libllmroof could not be found or loaded, or its version does not match
    the binding's."""


# Shown as llmroof.LlmroofError in tracebacks, where users import them from.
LlmroofError.__module__ = LibraryError.__module__ = "llmroof"
