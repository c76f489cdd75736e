using System.CommandLine;
using Dstack.Ethereum.Contracts;

namespace Dstack.Gov.Cli;

/// <summary><c>dstack-gov set-allow-any-device --app ADDR true|false</c>: switches the app's device allow-list off or on.</summary>
internal static class SetAllowAnyDeviceCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var app = new Option<string>("--app") { Description = "The DstackApp contract (the app id)", Required = true };
        var value = new Argument<bool>("allow") { Description = "true: any device may run the app; false: only listed devices" };
        var command = new Command("set-allow-any-device", "Turn the app's device allow-list off (true) or on (false)") { app, value };
        common.AddTo(command, transaction: true);
        command.Options.Add(common.Calldata);
        command.SetAction((parse, cancellationToken) => RunAsync(
            common.Read(parse),
            parse.GetValue(app)!,
            parse.GetValue(value),
            parse.GetValue(common.KeyFile),
            parse.GetValue(common.Calldata),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    public static Task<int> RunAsync(
        ChainArguments chain, string app, bool allow, string? keyFile, bool calldataOnly, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        VerbRunner.RunAsync("set-allow-any-device", error, () =>
            TransactionVerb.ExecuteAsync(
                chain, keyFile, calldataOnly, Arguments.Address("--app", app), DstackAppContract.Abi, "setAllowAnyDevice(bool)", [allow], output, error, cancellationToken));
}
