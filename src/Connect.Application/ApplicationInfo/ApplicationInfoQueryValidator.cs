namespace Connect.Application.ApplicationInfo;

public sealed partial class ApplicationInfoQueryValidator : AbstractValidator<ApplicationInfoQuery>
{
    public ApplicationInfoQueryValidator()
    {
        RuleFor(query => query.ApplicationAnchor).NotEmpty().MaximumLength(ApplicationAnchor.MaxLength);
        RuleFor(query => query.Locale).Cascade(CascadeMode.Stop).NotEmpty().MaximumLength(ApplicationInfoQuery.MaxLocaleLength)
            .Must(locale => LanguageTag().IsMatch(locale!));
    }

    // The shape of a BCP 47 tag (RFC 5646 §2.1): subtags of 1-8 letters or digits joined by hyphens, the first letters.
    [GeneratedRegex("^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex LanguageTag();
}
