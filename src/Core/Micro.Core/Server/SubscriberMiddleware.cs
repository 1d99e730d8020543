using System.Reflection;
using Micro.Broker;
using Micro.Registry;
using Micro.Transport;
using Microsoft.Extensions.DependencyInjection;

namespace Micro.Server;

/// <summary>A subscriber middleware: wraps the next handler.</summary>
public delegate BrokerHandler SubscriberMiddleware(BrokerHandler next);
