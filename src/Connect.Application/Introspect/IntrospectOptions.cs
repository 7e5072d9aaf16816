namespace Connect.Application.Introspect;

/// <summary>Configuration section <c>Connect:Sessions</c>: what <c>/introspect</c> tells its callers.</summary>
public sealed class IntrospectOptions
{
    public const string SectionName = "Connect:Sessions";

    public const int DefaultRecheckSeconds = 30;

    /// <summary>
    /// The longest a caller may be told to keep an answer: past it, a revocation would go unnoticed for longer than
    /// an access token lives (900 s by default).
    /// </summary>
    public const int MaxRecheckSeconds = 900;

    /// <summary><c>recommendedRecheckSeconds</c>: 0 to <see cref="MaxRecheckSeconds"/>.</summary>
    public int IntrospectRecheckSeconds { get; set; } = DefaultRecheckSeconds;
}
