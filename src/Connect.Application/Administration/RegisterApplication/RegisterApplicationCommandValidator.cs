namespace Connect.Application.Administration.RegisterApplication;

public sealed class RegisterApplicationCommandValidator : AbstractValidator<RegisterApplicationCommand>
{
    public RegisterApplicationCommandValidator() => RuleFor(command => command.Anchor).ValidAnchor();
}
