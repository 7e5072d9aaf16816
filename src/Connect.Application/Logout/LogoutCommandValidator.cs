namespace Connect.Application.Logout;

/// <summary>Step 2 of docs/contract/sessions.md, as for <c>/refresh</c>: a non-empty string of at most 4 KiB, else <c>InvalidBody</c>.</summary>
public sealed class LogoutCommandValidator : AbstractValidator<LogoutCommand>
{
    public LogoutCommandValidator()
    {
        RuleFor(command => command.RefreshToken).ValidSessionToken();
    }
}
