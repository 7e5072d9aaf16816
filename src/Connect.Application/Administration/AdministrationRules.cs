namespace Connect.Application.Administration;

/// <summary>The argument rules the administrative commands share, each with the plain-English line an operator reads.</summary>
internal static class AdministrationRules
{
    public const int MaxKeyIdLength = 128;
    public const int MaxSectorNameLength = 255;
    public const int MaxDisplayNameLength = 255;
    // Each session is answered with two signed tokens (about 1.6 KB of output and two RSA signatures).
    public const int MaxSessionsPerCall = 1_000;

    /// <summary>365 days: longer-lived refresh tokens are not something an operator should mint by accident.</summary>
    public const int MaxSessionLifetimeSeconds = 365 * 24 * 60 * 60;

    /// <summary>
    /// An anchor is matched exactly against the client JWT's <c>iss</c>, so one that differs from what a person
    /// typed only by invisible characters (control characters, whitespace at the ends) is refused up front.
    /// </summary>
    public static void ValidAnchor<T>(this IRuleBuilderInitial<T, string> rule) =>
        rule.Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("the anchor must not be empty")
            .MaximumLength(ApplicationAnchor.MaxLength)
            .WithMessage($"the anchor must be at most {ApplicationAnchor.MaxLength} characters")
            .Must(IsPrintable).WithMessage("the anchor must not contain control characters")
            .Must(HasNoSurroundingWhitespace).WithMessage("the anchor must not begin or end with whitespace");

    /// <summary>The name a sign-in page shows (the column holds 1 to 255 characters): no hidden characters either.</summary>
    public static IRuleBuilderOptions<T, string> ValidDisplayName<T>(this IRuleBuilderInitial<T, string> rule) =>
        rule.Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("the name must not be empty")
            .MaximumLength(MaxDisplayNameLength).WithMessage($"the name must be at most {MaxDisplayNameLength} characters")
            .Must(IsPrintable).WithMessage("the name must not contain control characters")
            .Must(HasNoSurroundingWhitespace).WithMessage("the name must not begin or end with whitespace");

    public static void ValidKeyId<T>(this IRuleBuilderInitial<T, string> rule) =>
        rule.Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("the key id must not be empty")
            .MaximumLength(MaxKeyIdLength).WithMessage($"the key id must be at most {MaxKeyIdLength} characters")
            .Must(IsPrintable).WithMessage("the key id must not contain control characters");

    /// <summary>PostgreSQL text cannot hold NUL, and no name we show should hide characters.</summary>
    public static bool IsPrintable(string? text)
    {
        if (text is null)
        {
            return false;
        }

        foreach (var rune in text.EnumerateRunes())
        {
            if (rune == Rune.ReplacementChar || Rune.IsControl(rune))
            {
                return false;
            }
        }

        return true;
    }

    private static bool HasNoSurroundingWhitespace(string anchor) =>
        anchor.Length > 0 && !char.IsWhiteSpace(anchor[0]) && !char.IsWhiteSpace(anchor[^1]);
}
