namespace Connect.Application.SessionTokens;

/// <summary>The validation rule of every body that carries one session token (<c>/refresh</c>, <c>/logout</c>, <c>/introspect</c>).</summary>
public static class SessionTokenRules
{
    /// <summary>
    /// Step 2 of docs/contract/sessions.md: a non-empty string of at most 4 KiB, measured by
    /// <see cref="SessionTokenLimits.IsWithinMaxLength"/> as the codec and the Bearer header are, so the three bodies
    /// cannot drift apart again.
    /// </summary>
    public static IRuleBuilderOptions<T, string?> ValidSessionToken<T>(this IRuleBuilder<T, string?> rule) =>
        rule.NotEmpty()
            .Must(token => token is not null && SessionTokenLimits.IsWithinMaxLength(token))
            .WithMessage($"must be at most {SessionTokenLimits.MaxTokenBytes} bytes of UTF-8");
}
