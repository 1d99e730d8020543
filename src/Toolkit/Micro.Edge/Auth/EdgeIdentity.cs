namespace Micro.Edge.Auth;

/// <summary>Who a request at the edge is, as an authenticator established it.</summary>
/// <param name="Subject">The caller: a JWT's <c>sub</c>, or the API key's name.</param>
/// <param name="Claims">What else is known of the caller (JWT claims as strings).</param>
public sealed record EdgeIdentity(string Subject, IReadOnlyDictionary<string, string> Claims);
