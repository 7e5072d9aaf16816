namespace Connect.Application.Introspect;

/// <summary>As for <c>/refresh</c>: a non-empty string of at most 4 KiB, else <c>InvalidBody</c>.</summary>
public sealed class IntrospectQueryValidator : AbstractValidator<IntrospectQuery>
{
    public IntrospectQueryValidator()
    {
        RuleFor(query => query.AccessToken).ValidSessionToken();
    }
}
