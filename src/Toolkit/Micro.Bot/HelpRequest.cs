using System.Text.Json.Serialization;
using Micro.Client;
using Micro.Registry;
using Microsoft.Extensions.Logging;

namespace Micro.Bot;

/// <summary>go-micro's bot command contract: <c>Command.Help</c> and <c>Command.Exec</c> (args include the command's name; result is bytes).</summary>
public sealed record HelpRequest;
