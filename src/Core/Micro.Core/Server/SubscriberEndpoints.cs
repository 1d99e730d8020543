using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Micro.Broker;
using Micro.Codec;
using Micro.Registry;
using Microsoft.Extensions.DependencyInjection;

namespace Micro.Server;

/// <summary>Turns the <see cref="SubscribeAttribute"/> methods of a class into subscriptions.</summary>
public static class SubscriberEndpoints
{
    [RequiresUnreferencedCode(ReflectionHandlers.Message)]
    [RequiresDynamicCode(ReflectionHandlers.Message)]
    public static IReadOnlyList<SubscriberDescriptor> From(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var result = new List<SubscriberDescriptor>();
        foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance))
        {
            foreach (var attribute in method.GetCustomAttributes<SubscribeAttribute>())
            {
                var parameters = method.GetParameters();
                var shapeOk = (method.ReturnType == typeof(Task) || method.ReturnType == typeof(ValueTask))
                    && (parameters.Length == 1 || (parameters.Length == 2 && parameters[1].ParameterType == typeof(CancellationToken)));
                if (!shapeOk)
                {
                    throw new InvalidOperationException(
                        $"{type.Name}.{method.Name} cannot subscribe to '{attribute.Topic}': subscribers are shaped Task Name(TMessage message, CancellationToken cancellationToken).");
                }

                if (!attribute.AutoAck && parameters[0].ParameterType != typeof(BrokerEvent))
                {
                    throw new InvalidOperationException($"{type.Name}.{method.Name} uses AutoAck = false, so it must take a BrokerEvent to acknowledge it.");
                }

                var messageType = parameters[0].ParameterType;
                var bind = (Func<IServiceProvider, CodecRegistry, BrokerHandler>)typeof(SubscriberEndpoints)
                    .GetMethod(nameof(Bind), BindingFlags.NonPublic | BindingFlags.Static)!
                    .MakeGenericMethod(type, messageType)
                    .Invoke(null, [method, parameters.Length == 2])!;
                var endpoint = new Endpoint
                {
                    Name = type.Name + "." + method.Name,
                    Request = messageType == typeof(BrokerEvent) ? null : ValueDescriber.Describe(messageType, messageType.Name),
                    Metadata = new Dictionary<string, string> { ["topic"] = attribute.Topic, ["subscriber"] = "true" },
                };
                var options = SubscribeOptions.Default with
                {
                    Queue = attribute.Queue,
                    AutoAck = attribute.AutoAck,
                    Durable = attribute.Durable,
                    MaxConcurrency = attribute.MaxConcurrency,
                    Prefetch = Math.Max(attribute.Prefetch, attribute.MaxConcurrency),
                };
                result.Add(new SubscriberDescriptor(endpoint, attribute.Topic, options, bind));
            }
        }

        if (result.Count == 0)
        {
            throw new InvalidOperationException($"{type.Name} has no [Subscribe(\"topic\")] methods.");
        }

        return result;
    }

    private static Func<IServiceProvider, CodecRegistry, BrokerHandler> Bind<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler, TMessage>(MethodInfo method, bool hasToken)
        where THandler : class
    {
        Func<THandler, TMessage, CancellationToken, ValueTask> invoke;
        if (method.ReturnType == typeof(Task))
        {
            if (hasToken)
            {
                var d = method.CreateDelegate<Func<THandler, TMessage, CancellationToken, Task>>();
                invoke = (h, m, ct) => new ValueTask(d(h, m, ct));
            }
            else
            {
                var d = method.CreateDelegate<Func<THandler, TMessage, Task>>();
                invoke = (h, m, _) => new ValueTask(d(h, m));
            }
        }
        else if (hasToken)
        {
            invoke = method.CreateDelegate<Func<THandler, TMessage, CancellationToken, ValueTask>>();
        }
        else
        {
            var d = method.CreateDelegate<Func<THandler, TMessage, ValueTask>>();
            invoke = (h, m, _) => d(h, m);
        }

        return (services, codecs) =>
        {
            var handler = services.GetService<THandler>() ?? ActivatorUtilities.CreateInstance<THandler>(services);
            return (delivery, cancellationToken) =>
            {
                if (typeof(TMessage) == typeof(BrokerEvent))
                {
                    return invoke(handler, (TMessage)(object)delivery, cancellationToken);
                }

                return invoke(handler, delivery.Decode<TMessage>(codecs), cancellationToken); // undecodable: MessageDecodeException, dead-lettered at once
            };
        };
    }
}
