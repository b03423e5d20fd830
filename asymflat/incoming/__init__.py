"""Incoming radiation given as data: the table and its checks, tail laws, the first cone at G = 0,
and the time reflection of outgoing data (issue 21)."""
