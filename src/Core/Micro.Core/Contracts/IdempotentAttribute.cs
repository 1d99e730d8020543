namespace Micro;

/// <summary>
/// Marks an endpoint (a contract method or a handler's method) safe to run more than once for one call: clients may
/// hedge it (a second attempt to another node after a delay, the first answer wins, the other cancelled). In the
/// registry the endpoint carries metadata <c>idempotent: true</c>, which go-micro and other callers can read too.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true, AllowMultiple = false)]
public sealed class IdempotentAttribute : Attribute
{
}
