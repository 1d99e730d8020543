using System.Reflection;
using Micro.Broker;
using Micro.Codec;
using Micro.Registry;
using Microsoft.Extensions.DependencyInjection;

namespace Micro.Server;

/// <summary>A topic subscription of the server: its registry description, options and how to run it.</summary>
public sealed class SubscriberDescriptor(Endpoint endpoint, string topic, SubscribeOptions options, Func<IServiceProvider, CodecRegistry, BrokerHandler> bind)
{
    public Endpoint Endpoint { get; } = endpoint;

    public string Topic { get; } = topic;

    public SubscribeOptions Options { get; } = options;

    internal Func<IServiceProvider, CodecRegistry, BrokerHandler> Bind { get; } = bind;
}
