namespace Connect.Application.Refresh;

/// <summary>Step 2 of docs/contract/sessions.md's <c>/refresh</c>: a non-empty string of at most 4 KiB, else <c>InvalidBody</c>.</summary>
public sealed class RefreshCommandValidator : AbstractValidator<RefreshCommand>
{
    public RefreshCommandValidator()
    {
        RuleFor(command => command.RefreshToken).ValidSessionToken();
    }
}
