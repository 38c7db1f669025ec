using AsyncPerf.Tests.Verifiers;
using Xunit;
using Verify = AsyncPerf.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPerf.Rules.Concurrency.UnboundedQueueAnalyzer, AsyncPerf.CodeFixes.Rules.Concurrency.UnboundedQueueCodeFix>;

namespace AsyncPerf.Tests.Rules.Concurrency;

public class UnboundedQueueTests
{
    private const string Usings = """
        using System;
        using System.Collections.Concurrent;
        using System.Threading;
        using System.Threading.Channels;
        using System.Threading.Tasks;

        """;

    // ---- Flags ----

    [Fact]
    public Task Flags_Channel_CreateUnbounded_with_and_without_options() => Verify.VerifyAnalyzerAsync(Usings + """
        record Order(int Id);

        class OrderPipeline
        {
            private readonly Channel<Order> _orders = {|AP1003:Channel.CreateUnbounded<Order>()|};
            private readonly Channel<int> _ids = {|AP1003:Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true })|};
        }
        """);

    [Fact]
    public Task Flags_with_a_message_that_names_the_queue_and_the_capacity() => Verify.VerifyAnalyzerAsync(Usings + """
        class Mailbox
        {
            private readonly Channel<string> _inbox = Channel.CreateUnbounded<string>();
        }
        """,
        Verify.Diagnostic("AP1003").WithSpan(8, 47, 8, 80)
            .WithMessage("'Channel.CreateUnbounded<string>' has no bound: a fast producer fills memory instead of slowing down; use a bounded queue (capacity 1000) that makes producers wait"));

    [Fact]
    public Task Flags_BlockingCollection_without_a_capacity() => Verify.VerifyAnalyzerAsync(Usings + """
        class LogShipper
        {
            private readonly BlockingCollection<string> _lines = {|AP1003:new BlockingCollection<string>()|};
            private readonly BlockingCollection<string> _stack = {|AP1003:new BlockingCollection<string>(new ConcurrentStack<string>())|};
            private readonly BlockingCollection<int> _implicit = {|AP1003:new()|};
        }
        """);

    [Fact]
    public Task Flags_BlockingCollection_on_netstandard20() => new Verify.Test
    {
        References = TestReferences.NetStandard20,
        TestCode = """
            using System.Collections.Concurrent;

            class LogShipper
            {
                private readonly BlockingCollection<string> _lines = {|AP1003:new BlockingCollection<string>()|};
            }
            """,
    }.RunAsync();

    // ---- Does not flag ----

    [Fact]
    public Task DoesNotFlag_bounded_queues() => Verify.VerifyAnalyzerAsync(Usings + """
        class OrderPipeline
        {
            private readonly Channel<int> _a = Channel.CreateBounded<int>(100);
            private readonly Channel<int> _b = Channel.CreateBounded<int>(new BoundedChannelOptions(100) { FullMode = BoundedChannelFullMode.Wait });
            private readonly BlockingCollection<int> _c = new BlockingCollection<int>(100);
            private readonly BlockingCollection<int> _d = new BlockingCollection<int>(new ConcurrentQueue<int>(), 100);
            private readonly Channel<int> _e = Channel.CreateUnboundedPrioritized<int>();
        }
        """);

    [Fact]
    public Task DoesNotFlag_other_types_with_the_same_names() => Verify.VerifyAnalyzerAsync("""
        namespace Messaging
        {
            static class Channel
            {
                public static System.Collections.Generic.Queue<T> CreateUnbounded<T>() => new();
            }

            class BlockingCollection<T>
            {
            }

            class User
            {
                private readonly object _a = Channel.CreateUnbounded<int>();
                private readonly object _b = new BlockingCollection<int>();
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_the_work_queue_of_a_SynchronizationContext_or_TaskScheduler() => Verify.VerifyAnalyzerAsync(Usings + """
        using System.Collections.Generic;

        class UiThreadContext : SynchronizationContext
        {
            private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> _work = new();

            public override void Post(SendOrPostCallback d, object? state) => _work.Add((d, state));
        }

        class PumpContext : UiThreadContext
        {
            private readonly Channel<Action> _later = Channel.CreateUnbounded<Action>();
        }

        sealed class OrderedScheduler : TaskScheduler
        {
            private readonly Channel<Task> _queue;

            public OrderedScheduler() => _queue = Channel.CreateUnbounded<Task>(new UnboundedChannelOptions { SingleReader = true });

            protected override void QueueTask(Task task) => _queue.Writer.TryWrite(task);

            protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

            protected override IEnumerable<Task> GetScheduledTasks() => Array.Empty<Task>();

            private sealed class Worker
            {
                private readonly BlockingCollection<Task> _local = new BlockingCollection<Task>();
            }
        }
        """);

    [Fact]
    public Task Flags_a_queue_of_a_type_that_only_uses_a_SynchronizationContext() => Verify.VerifyAnalyzerAsync(Usings + """
        class ProgressReporter
        {
            private readonly SynchronizationContext? _context = SynchronizationContext.Current;
            private readonly Channel<int> _updates = {|AP1003:Channel.CreateUnbounded<int>()|};

            public void Report(int percent) => _context?.Post(_ => _updates.Writer.TryWrite(percent), null);
        }
        """);

    private const string TestProjectCode = Usings + """
        public class PostmasterMock
        {
            private readonly Channel<string> _requests = QUEUE;

            [Xunit.Fact]
            public void Accepts_requests() => Xunit.Assert.True(_requests.Writer.TryWrite("startup"));
        }
        """;

    [Fact]
    public Task DoesNotFlag_test_projects() => new Verify.Test
    {
        AdditionalReferences = { TestReferences.Xunit[0], TestReferences.Xunit[1] },
        TestCode = TestProjectCode.Replace("QUEUE", "Channel.CreateUnbounded<string>()"),
    }.RunAsync();

    [Fact]
    public Task Option_include_tests_reports_in_test_projects() => new Verify.Test
    {
        AdditionalReferences = { TestReferences.Xunit[0], TestReferences.Xunit[1] },
        EditorConfig = "asyncperf.AP1003.include_tests = true",
        TestCode = TestProjectCode.Replace("QUEUE", "{|AP1003:Channel.CreateUnbounded<string>()|}"),
    }.RunAsync();

    [Fact]
    public Task DoesNotCrash_on_incomplete_code() => new Verify.Test
    {
        AllowCompilerErrors = true,
        TestCode = Usings + """
            class Broken
            {
                private readonly Channel<int> _a = Channel.CreateUnbounded<>();
                private readonly object _b = new BlockingCollection<Missing>(;
                private readonly object _c = Channel.CreateUnbounded(;
            }
            """,
    }.RunAsync();

    // ---- Options ----

    [Fact]
    public Task Option_capacity_changes_the_message_and_the_fix() => new Verify.Test
    {
        EditorConfig = "asyncperf.AP1003.capacity = 64",
        TestCode = Usings + """
            class Mailbox
            {
                private readonly Channel<string> _inbox = Channel.CreateUnbounded<string>();
                private readonly BlockingCollection<string> _outbox = {|AP1003:new BlockingCollection<string>()|};
            }
            """,
        ExpectedDiagnostics =
        {
            Verify.Diagnostic("AP1003").WithSpan(8, 47, 8, 80)
                .WithMessage("'Channel.CreateUnbounded<string>' has no bound: a fast producer fills memory instead of slowing down; use a bounded queue (capacity 64) that makes producers wait"),
        },
        FixedCode = Usings + """
            class Mailbox
            {
                private readonly Channel<string> _inbox = Channel.CreateBounded<string>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.Wait });
                private readonly BlockingCollection<string> _outbox = new BlockingCollection<string>(64);
            }
            """,
    }.RunAsync();

    [Fact]
    public Task Option_capacity_that_is_not_a_positive_number_falls_back_to_1000() => new Verify.Test
    {
        EditorConfig = "asyncperf.AP1003.capacity = lots",
        TestCode = Usings + """
            class Mailbox
            {
                private readonly BlockingCollection<string> _outbox = {|AP1003:new BlockingCollection<string>()|};
            }
            """,
        FixedCode = Usings + """
            class Mailbox
            {
                private readonly BlockingCollection<string> _outbox = new BlockingCollection<string>(1000);
            }
            """,
    }.RunAsync();

    // ---- Fix ----

    [Fact]
    public Task Fix_creates_a_bounded_channel_that_waits() => Verify.VerifyCodeFixAsync(Usings + """
        class OrderPipeline
        {
            // orders waiting for the writer
            private readonly Channel<int> _orders = {|AP1003:Channel.CreateUnbounded<int>()|}; // shared
        }
        """, Usings + """
        class OrderPipeline
        {
            // orders waiting for the writer
            private readonly Channel<int> _orders = Channel.CreateBounded<int>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.Wait }); // shared
        }
        """);

    [Fact]
    public Task Fix_keeps_the_settings_of_the_unbounded_options() => Verify.VerifyCodeFixAsync(Usings + """
        class OrderPipeline
        {
            private readonly Channel<int> _a = {|AP1003:Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false })|};
            private readonly Channel<int> _b = {|AP1003:Channel.CreateUnbounded<int>(new UnboundedChannelOptions
            {
                SingleReader = true, // one consumer loop
                AllowSynchronousContinuations = false,
            })|};
            private readonly Channel<int> _c = {|AP1003:Channel.CreateUnbounded<int>(new() { SingleWriter = true })|};
            private readonly Channel<int> _d = {|AP1003:Channel.CreateUnbounded<int>(new UnboundedChannelOptions())|};
        }
        """, Usings + """
        class OrderPipeline
        {
            private readonly Channel<int> _a = Channel.CreateBounded<int>(new BoundedChannelOptions(1000) { SingleReader = true, SingleWriter = false, FullMode = BoundedChannelFullMode.Wait });
            private readonly Channel<int> _b = Channel.CreateBounded<int>(new BoundedChannelOptions(1000)
            {
                SingleReader = true, // one consumer loop
                AllowSynchronousContinuations = false,
                FullMode = BoundedChannelFullMode.Wait,
            });
            private readonly Channel<int> _c = Channel.CreateBounded<int>(new BoundedChannelOptions(1000) { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
            private readonly Channel<int> _d = Channel.CreateBounded<int>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.Wait });
        }
        """);

    [Fact]
    public Task Fix_copies_the_settings_of_options_held_in_a_variable() => Verify.VerifyCodeFixAsync(Usings + """
        class OrderPipeline
        {
            Channel<int> Create(UnboundedChannelOptions options) => {|AP1003:Channel.CreateUnbounded<int>(options)|};
        }
        """, Usings + """
        class OrderPipeline
        {
            Channel<int> Create(UnboundedChannelOptions options) => Channel.CreateBounded<int>(new BoundedChannelOptions(1000) { SingleReader = options.SingleReader, SingleWriter = options.SingleWriter, AllowSynchronousContinuations = options.AllowSynchronousContinuations, FullMode = BoundedChannelFullMode.Wait });
        }
        """);

    [Fact]
    public Task Fix_adds_the_using_when_missing() => Verify.VerifyCodeFixAsync("""
        class OrderPipeline
        {
            private readonly System.Threading.Channels.Channel<int> _orders = {|AP1003:System.Threading.Channels.Channel.CreateUnbounded<int>()|};
        }
        """, """
        using System.Threading.Channels;

        class OrderPipeline
        {
            private readonly System.Threading.Channels.Channel<int> _orders = System.Threading.Channels.Channel.CreateBounded<int>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.Wait });
        }
        """);

    [Fact]
    public Task Fix_gives_BlockingCollection_a_capacity() => Verify.VerifyCodeFixAsync(Usings + """
        class LogShipper
        {
            private readonly BlockingCollection<string> _lines = {|AP1003:new BlockingCollection<string>()|};
            private readonly BlockingCollection<string> _stack = {|AP1003:new BlockingCollection<string>(new ConcurrentStack<string>())|};
            private readonly BlockingCollection<string> _named = {|AP1003:new BlockingCollection<string>(collection: new ConcurrentBag<string>())|};
            private readonly BlockingCollection<int> _implicit = {|AP1003:new()|};
            private readonly BlockingCollection<int> _initialized = {|AP1003:new BlockingCollection<int> { 1, 2 }|};
        }
        """, Usings + """
        class LogShipper
        {
            private readonly BlockingCollection<string> _lines = new BlockingCollection<string>(1000);
            private readonly BlockingCollection<string> _stack = new BlockingCollection<string>(new ConcurrentStack<string>(), 1000);
            private readonly BlockingCollection<string> _named = new BlockingCollection<string>(collection: new ConcurrentBag<string>(), boundedCapacity: 1000);
            private readonly BlockingCollection<int> _implicit = new(1000);
            private readonly BlockingCollection<int> _initialized = new BlockingCollection<int>(1000) { 1, 2 };
        }
        """);

    [Fact]
    public Task FixAll_fixes_every_queue_in_the_document() => Verify.VerifyCodeFixAsync(Usings + """
        class Pipeline
        {
            private readonly Channel<int> _parsed = {|AP1003:Channel.CreateUnbounded<int>()|};
            private readonly Channel<string> _raw = {|AP1003:Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleWriter = true })|};

            BlockingCollection<long> Make() => {|AP1003:new BlockingCollection<long>()|};
        }
        """, Usings + """
        class Pipeline
        {
            private readonly Channel<int> _parsed = Channel.CreateBounded<int>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.Wait });
            private readonly Channel<string> _raw = Channel.CreateBounded<string>(new BoundedChannelOptions(1000) { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

            BlockingCollection<long> Make() => new BlockingCollection<long>(1000);
        }
        """);

    // ---- No fix ----

    private const string WrittenWithTryWrite = Usings + """
        class Events
        {
            private readonly Channel<string> _events = {|AP1003:Channel.CreateUnbounded<string>()|};
            private readonly BlockingCollection<int> _ids = {|AP1003:new BlockingCollection<int>()|};

            public void Publish(string e, int id)
            {
                _events.Writer.TryWrite(e);
                _ids.TryAdd(id);
            }
        }
        """;

    [Fact]
    public Task NoFix_when_the_producer_uses_TryWrite_or_TryAdd() => Verify.VerifyCodeFixAsync(WrittenWithTryWrite, WrittenWithTryWrite);

    private const string OptionsFromACall = Usings + """
        class Events
        {
            static UnboundedChannelOptions Options() => new() { SingleReader = true };

            private readonly Channel<string> _events = {|AP1003:Channel.CreateUnbounded<string>(Options())|};
        }
        """;

    [Fact]
    public Task NoFix_when_the_options_come_from_a_call() => Verify.VerifyCodeFixAsync(OptionsFromACall, OptionsFromACall);
}
