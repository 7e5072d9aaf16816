namespace Connect.Application.Administration.RemoveSignalReceiver;

public sealed class RemoveSignalReceiverCommandValidator : AbstractValidator<RemoveSignalReceiverCommand>
{
    public RemoveSignalReceiverCommandValidator() => RuleFor(command => command.Anchor).ValidAnchor();
}
