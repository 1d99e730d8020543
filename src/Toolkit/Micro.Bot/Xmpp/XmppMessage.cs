using System.Xml.Linq;
using Micro.Transport.Tcp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Micro.Bot.Xmpp;

/// <summary>A chat message received: who sent it (bare JID, or room/nick), where to answer, and whether it came in a room.</summary>
public sealed record XmppMessage(string From, string ReplyTo, string Body, bool InRoom, string? RealJid);
