"""The persona's reply to one turn, as one object for every place that shows it: the API (JSON
and server-sent events), the practice pages and the terminal command."""

from collections.abc import Generator, Iterator

from .models import Turn


class Reply:
    """The persona's reply to one turn. Iterating it yields the text as it arrives.

    The reply turn is saved whatever the consumer does: it reads to the end, stops half-way (a
    dropped stream) or never starts. `close()` (run when iteration stops, and by whoever gives
    up on the reply, as the API's event stream does) produces the rest unseen and saves it, so
    the words and the tokens spent on them are never lost.
    """

    def __init__(self, deltas: Generator[str, None, Turn]):
        self._deltas = deltas
        self._turn: Turn | None = None
        self._done = False

    @classmethod
    def saved(cls, turn: Turn) -> "Reply":
        """A reply already saved (scripted mode): iterating it only shows it."""
        return cls(_say(turn))

    def __iter__(self) -> Iterator[str]:
        try:
            while not self._done:
                delta = self._step()
                if delta:
                    yield delta
        finally:
            self.close()

    def _step(self) -> str:
        try:
            return next(self._deltas)
        except StopIteration as stop:
            self._turn, self._done = stop.value, True
        except BaseException:
            self._done = True
            raise
        return ""

    def close(self) -> None:
        """Finish the reply without showing the rest. Safe to call more than once."""
        while not self._done:
            self._step()

    @property
    def turn(self) -> Turn:
        """The saved reply turn; produced first if nobody read the reply."""
        self.close()
        return self._turn


def _say(turn: Turn) -> Generator[str, None, Turn]:
    yield turn.text
    return turn
