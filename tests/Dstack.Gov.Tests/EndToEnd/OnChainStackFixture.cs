using Dstack.Tests;

namespace Dstack.Gov.Tests.EndToEnd;

/// <summary>One run of <c>onchain.sh</c> shared by the tests of a class; torn down (SIGTERM) at the end.</summary>
public sealed class OnChainStackFixture : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _directory = new();
    private OnChainStackScript? _stack;

    public OnChainStackScript Stack => _stack ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() => _stack = await OnChainStackScript.StartAsync(Path.Combine(_directory.Path, "stack"));

    public async Task DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }
    }

    public void Dispose() => _directory.Dispose();
}
