namespace Connect.Benchmarks.Load;

/// <summary>Which part of a 200's body a request's expectation is about: the connection reads only that part.</summary>
internal enum AnswerKind : byte
{
    /// <summary><c>/revoke-all</c>: the number in <c>"revokedCount"</c>.</summary>
    RevokedCount,

    /// <summary><c>/refresh</c>: 1 when both <c>"accessToken"</c> and <c>"refreshToken"</c> are non-empty strings, else 0.</summary>
    Tokens,

    /// <summary><c>/introspect</c>: the <c>"status"</c> as an <see cref="IntrospectStatus"/> code.</summary>
    SessionStatus,
}

/// <summary>docs/contract/sessions.md's <c>/introspect</c> statuses, as the codes an <see cref="Expectation"/> compares.</summary>
internal enum IntrospectStatus
{
    Active,
    Revoked,
    Expired,
    NotFound,
}

/// <summary>
/// The answer a request must get: a 200 whose body's <see cref="Kind"/> reads as <see cref="Value"/> (revoke-all's
/// count; 1 for a refresh answer with both tokens; the introspect status's code). <see cref="Work"/> is what one
/// such answer adds to what the run reads back from the database (tokens revoked, a session rotated, an answer
/// matching its session's state), so that the two can be compared.
/// </summary>
internal readonly record struct Expectation(AnswerKind Kind, int Value, int Work)
{
    public static Expectation RevokedCount(int count) => new(AnswerKind.RevokedCount, count, count);

    public static Expectation BothTokens { get; } = new(AnswerKind.Tokens, 1, 1);

    public static Expectation Status(IntrospectStatus status) => new(AnswerKind.SessionStatus, (int)status, 1);

    public static readonly string[] StatusNames = ["active", "revoked", "expired", "not_found"];

    /// <summary>The error kind of a 200 whose body read as <paramref name="value"/> instead.</summary>
    public string DescribeMismatch(int? value) => Kind switch
    {
        AnswerKind.RevokedCount => $"200 with revokedCount {Text(value)} (expected {Value})",
        AnswerKind.Tokens => "200 without both tokens",
        _ => $"200 with status {(value is { } code ? StatusNames[code] : "missing")} (expected {StatusNames[Value]})",
    };

    private static string Text(int? value) => value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "missing";
}
