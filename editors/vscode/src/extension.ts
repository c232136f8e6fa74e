// The citels extension: start `citels serve`, pass the settings, show the corpus size.
// All citation logic lives in the server; this file only connects VS Code to it.
import { spawnSync } from 'child_process';
import * as vscode from 'vscode';
import {
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';

const LANGUAGES = ['latex', 'tex', 'markdown', 'quarto', 'rmd', 'bibtex', 'typst', 'org'];
const INSTALL_HINT = 'Install it from a citels checkout with `pipx install .` (or `pip install .`), then run `citels doctor`; or set `citels.server.command`.';

let client: LanguageClient | undefined;
let status: vscode.StatusBarItem;
let output: vscode.LogOutputChannel;

interface Stats {
  papers: number;
  titled: number;
  abstract_only: number;
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('citels', { log: true });
  status = vscode.window.createStatusBarItem('citels.status', vscode.StatusBarAlignment.Right, 100);
  status.name = 'citels';
  status.command = 'citels.reindexCorpus';
  context.subscriptions.push(
    output,
    status,
    vscode.commands.registerCommand('citels.restartServer', () => restart()),
    vscode.commands.registerCommand('citels.reindexCorpus', () => reindex()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('citels.server.command')) {
        void restart();
      }
    }),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}

function serverCommand(): string[] {
  const command = vscode.workspace.getConfiguration('citels').get<string[]>('server.command');
  return command && command.length > 0 ? command : ['citels', 'serve'];
}

/** A clear message, not a silent failure, when the server's program cannot be run. */
function missingExecutable(command: string[]): string | undefined {
  const probe = spawnSync(command[0], ['--version'], { encoding: 'utf8', timeout: 30000 });
  if (probe.error) {
    return `citels: cannot run \`${command[0]}\` (${probe.error.message}). ${INSTALL_HINT}`;
  }
  return undefined;
}

async function start(): Promise<void> {
  const command = serverCommand();
  showStatus('$(sync~spin) citels', 'Starting the citels server');
  const problem = missingExecutable(command);
  if (problem) {
    output.error(problem);
    showStatus('$(error) citels', problem);
    void vscode.window.showErrorMessage(problem, 'Open settings').then((choice) => {
      if (choice) {
        void vscode.commands.executeCommand('workbench.action.openSettings', 'citels.server.command');
      }
    });
    return;
  }
  const serverOptions: ServerOptions = { command: command[0], args: command.slice(1) };
  const clientOptions: LanguageClientOptions = {
    documentSelector: LANGUAGES.map((language) => ({ scheme: 'file', language })),
    // The server pulls the `citels` section (workspace/configuration) and is told of changes.
    synchronize: {
      configurationSection: 'citels',
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.bib'),
    },
    outputChannel: output,
  };
  client = new LanguageClient('citels', 'citels', serverOptions, clientOptions);
  client.onDidChangeState((event) => {
    if (event.newState === State.Stopped) {
      showStatus('$(error) citels', 'The citels server stopped: see the citels output');
    }
  });
  try {
    await client.start();
  } catch (error) {
    const message = `citels: the server did not start: ${error}`;
    output.error(message);
    showStatus('$(error) citels', message);
    void vscode.window.showErrorMessage(message);
    return;
  }
  await showCorpusSize();
}

async function showCorpusSize(): Promise<void> {
  if (!client) {
    return;
  }
  const stats = (await client.sendRequest(ExecuteCommandRequest.type, {
    command: 'citels.stats',
    arguments: [],
  })) as Stats;
  showStatus(
    `$(book) citels: ${stats.papers} papers`,
    `${stats.papers} papers (${stats.titled} titled, ${stats.abstract_only} abstract-only). Click to reindex.`,
  );
}

async function restart(): Promise<void> {
  if (client) {
    await client.stop();
    client = undefined;
  }
  await start();
}

async function reindex(): Promise<void> {
  if (!client) {
    return;
  }
  const running = client;
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'citels: reindexing the corpus' },
    async () => {
      await running.sendRequest(ExecuteCommandRequest.type, { command: 'citels.reindex', arguments: [] });
    },
  );
  await showCorpusSize();
}

function showStatus(text: string, tooltip: string): void {
  status.text = text;
  status.tooltip = tooltip;
  status.show();
}
