namespace Connect.Application.Administration.SetApplicationEnabled;

public sealed class SetApplicationEnabledCommandValidator : AbstractValidator<SetApplicationEnabledCommand>
{
    public SetApplicationEnabledCommandValidator() => RuleFor(command => command.Anchor).ValidAnchor();
}
