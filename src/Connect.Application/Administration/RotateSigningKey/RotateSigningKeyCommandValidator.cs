namespace Connect.Application.Administration.RotateSigningKey;

public sealed class RotateSigningKeyCommandValidator : AbstractValidator<RotateSigningKeyCommand>
{
    public RotateSigningKeyCommandValidator() => RuleFor(command => command.Anchor).ValidAnchor();
}
