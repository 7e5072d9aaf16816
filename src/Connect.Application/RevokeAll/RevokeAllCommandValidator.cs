namespace Connect.Application.RevokeAll;

public sealed class RevokeAllCommandValidator : AbstractValidator<RevokeAllCommand>
{
    public RevokeAllCommandValidator()
    {
        RuleFor(command => command.Subject)
            .NotEmpty()
            .MaximumLength(SectorSubject.MaxLength)
            // No subject we issue holds control characters or broken UTF-16, and PostgreSQL text cannot
            // store NUL: reject such input here rather than let it reach the database.
            .Must(BePrintableUnicode);
    }

    private static bool BePrintableUnicode(string? subject)
    {
        if (subject is null)
        {
            return false;
        }

        foreach (var rune in subject.EnumerateRunes())
        {
            if (rune == Rune.ReplacementChar || Rune.IsControl(rune))
            {
                return false;
            }
        }

        return true;
    }
}
