"""Helpers of the poster's Web API calls: one-line errors, and a channel's id from its
name (to look messages up in its history)."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from summarizer.errors import SlackPostError

__all__ = ["lookup_channel_id", "post_error"]


def lookup_channel_id(client: WebClient, channel: str) -> str:
    """Slack's id of a '#name' channel (``conversations.list``, every page): a crashed
    run's pending message can only be looked up in the channel's history by id. Raises
    SlackPostError when it cannot be found, so the message is not posted twice."""
    name = channel.strip().lstrip("#")
    cursor: str | None = None
    try:
        while True:
            response = client.conversations_list(
                types="public_channel,private_channel",
                exclude_archived=True,
                limit=200,
                **({"cursor": cursor} if cursor else {}),
            )
            for found in response.get("channels") or []:
                if found.get("name") == name and found.get("id"):
                    return str(found["id"])
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
    except (SlackClientError, OSError) as error:
        raise _lookup_error(channel, str(error)) from None
    raise _lookup_error(channel, "no such channel in conversations.list")


def _lookup_error(channel: str, why: str) -> SlackPostError:
    return SlackPostError(
        f"a message to {channel} was left pending by a crashed run and the channel's id "
        f"could not be looked up ({why}); it is not posted again: pass the channel's id "
        "(C...) or grant the app channels:read/groups:read"
    )


def post_error(error: Exception, method: str, channel: str) -> SlackPostError:
    """One line for a Web API call that failed: Slack's refusal code, or the reason Slack
    could not be reached."""
    if isinstance(error, SlackApiError):
        code = error.response.get("error", "unknown_error") if error.response else "unknown"
        return SlackPostError(f"Slack refused {method} in {channel}: {code}")
    reason = type(error).__name__
    return SlackPostError(f"could not reach Slack for {method} in {channel}: {reason}")
