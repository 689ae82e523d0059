<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="ru_RU">
<context>
    <name>App</name>
    <message>
        <source>Ошибка: {message} (подробности в {log})</source>
        <translation>Error: {message} (details in {log})</translation>
    </message>
    <message>
        <source>OpDesk — ошибка</source>
        <translation>OpDesk — error</translation>
    </message>
    <message>
        <source>{message}

Журнал: {log}</source>
        <translation>{message}

Log: {log}</translation>
    </message>
</context>
<context>
    <name>BulkResults</name>
    <message>
        <source>{title}: результат</source>
        <translation>{title}: result</translation>
    </message>
    <message>
        <source>Заявка</source>
        <translation>Ticket</translation>
    </message>
    <message>
        <source>Результат</source>
        <translation>Result</translation>
    </message>
    <message>
        <source>Правила и причины</source>
        <translation>Rules and reasons</translation>
    </message>
    <message>
        <source>выполнено</source>
        <translation>done</translation>
    </message>
    <message>
        <source>отказ</source>
        <translation>refused</translation>
    </message>
    <message>
        <source>Выполнено {done} из {total}; отказов {refused}</source>
        <translation>Done {done} of {total}; refused {refused}</translation>
    </message>
</context>
<context>
    <name>ChecklistPanel</name>
    <message>
        <source>устное</source>
        <translation>verbal</translation>
    </message>
    <message>
        <source>электронное</source>
        <translation>electronic</translation>
    </message>
    <message>
        <source>Закрытие заявки</source>
        <translation>Closing the ticket</translation>
    </message>
    <message>
        <source>Закрыть заявку (чек-лист)…</source>
        <translation>Close ticket (checklist)…</translation>
    </message>
    <message>
        <source>Сохранить</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>Закрыть</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Отчёт о закрытии (C-04)</source>
        <translation>Closing report (C-04)</translation>
    </message>
    <message>
        <source>указано</source>
        <translation>set</translation>
    </message>
    <message>
        <source> мин</source>
        <translation> min</translation>
    </message>
    <message>
        <source>Использован ЗИП</source>
        <translation>Spare parts used</translation>
    </message>
    <message>
        <source>ЗИП</source>
        <translation>Spare part</translation>
    </message>
    <message>
        <source>Количество</source>
        <translation>Quantity</translation>
    </message>
    <message>
        <source>Добавить строку ЗИП</source>
        <translation>Add a spare-part line</translation>
    </message>
    <message>
        <source>Удалить строку ЗИП</source>
        <translation>Remove the spare-part line</translation>
    </message>
    <message>
        <source>Причина аварии</source>
        <translation>Failure cause</translation>
    </message>
    <message>
        <source>Выполненные действия</source>
        <translation>Actions taken</translation>
    </message>
    <message>
        <source>Исполнители</source>
        <translation>Performers</translation>
    </message>
    <message>
        <source>Время выполнения</source>
        <translation>Completion time</translation>
    </message>
    <message>
        <source>Затраченное время</source>
        <translation>Time spent</translation>
    </message>
    <message>
        <source>Отметки и проверки</source>
        <translation>Marks and checks</translation>
    </message>
    <message>
        <source>Заявка переведена на отдел «ОПП»</source>
        <translation>Ticket handed over to the “OPP” department</translation>
    </message>
    <message>
        <source>Постоянная схема; указал отдел</source>
        <translation>Permanent scheme; recorded by department</translation>
    </message>
    <message>
        <source>В заявке указано, что её требуется закрыть</source>
        <translation>The ticket states that it must be closed</translation>
    </message>
    <message>
        <source>Платная заявка</source>
        <translation>Paid ticket</translation>
    </message>
    <message>
        <source>Проведена по АРМу: кто и когда</source>
        <translation>Processed through the ARM: who and when</translation>
    </message>
    <message>
        <source>Проверено выполнение действий ответственным сотрудником</source>
        <translation>The responsible employee&apos;s actions were checked</translation>
    </message>
    <message>
        <source>Выполнена эскалация по закрытию заявки VIP</source>
        <translation>Closing escalation done for a VIP ticket</translation>
    </message>
    <message>
        <source>Подтверждение клиента получено</source>
        <translation>Client&apos;s confirmation received</translation>
    </message>
    <message>
        <source>Вид</source>
        <translation>Kind</translation>
    </message>
    <message>
        <source>Кто подтвердил</source>
        <translation>Confirmed by</translation>
    </message>
    <message>
        <source>Когда</source>
        <translation>When</translation>
    </message>
    <message>
        <source>Закрытие затягивается из-за клиента (C-11)</source>
        <translation>Closing delayed by the client (C-11)</translation>
    </message>
    <message>
        <source>Копировать шаблон</source>
        <translation>Copy template</translation>
    </message>
    <message>
        <source>Клиент проинформирован по шаблону</source>
        <translation>Client informed with the template</translation>
    </message>
    <message>
        <source>Случай</source>
        <translation>Case</translation>
    </message>
    <message>
        <source>Комментарий о закрытии</source>
        <translation>Closing comment</translation>
    </message>
    <message>
        <source>Выберите заявку в очереди.</source>
        <translation>Select a ticket in the queue.</translation>
    </message>
    <message>
        <source>— не затягивается —</source>
        <translation>— not delayed —</translation>
    </message>
    <message>
        <source>Шаблона нет: закройте с комментарием (обязателен).</source>
        <translation>No template: close with a comment (required).</translation>
    </message>
    <message>
        <source>Отправьте клиенту шаблон и напишите комментарий о закрытии.</source>
        <translation>Send the client the template and write a closing comment.</translation>
    </message>
    <message>
        <source>Шаблон скопирован</source>
        <translation>Template copied</translation>
    </message>
    <message>
        <source>Закрытие невозможно</source>
        <translation>Cannot be closed</translation>
    </message>
    <message>
        <source>Всё готово к закрытию</source>
        <translation>Ready to close</translation>
    </message>
    <message>
        <source>«{name}» недоступно:</source>
        <translation>“{name}” is not available:</translation>
    </message>
    <message>
        <source>получено: {kind}, {by}, {at}</source>
        <translation>received: {kind}, {by}, {at}</translation>
    </message>
    <message>
        <source>Сохранение отчёта о закрытии</source>
        <translation>Saving the closing report</translation>
    </message>
</context>
<context>
    <name>ConflictList</name>
    <message>
        <source>Тема</source>
        <translation>Subject</translation>
    </message>
    <message>
        <source>Причина</source>
        <translation>Cause</translation>
    </message>
    <message>
        <source>Выполненные действия</source>
        <translation>Actions taken</translation>
    </message>
    <message>
        <source>Комментарий закрытия</source>
        <translation>Closing comment</translation>
    </message>
    <message>
        <source>Конфликты синхронизации</source>
        <translation>Sync conflicts</translation>
    </message>
    <message>
        <source>«{field}» изменили одновременно</source>
        <translation>{field} was edited at the same time</translation>
    </message>
    <message>
        <source>оставлен текст сервера, ваш ждёт объединения</source>
        <translation>the server&apos;s text was kept; yours waits to be merged</translation>
    </message>
    <message>
        <source>Объединить…</source>
        <translation>Merge…</translation>
    </message>
    <message>
        <source>Сравнить тексты и сохранить объединённый</source>
        <translation>Compare the texts and save the merged one</translation>
    </message>
    <message>
        <source>«{op}» отклонено сервером</source>
        <translation>«{op}» refused by the server</translation>
    </message>
    <message>
        <source>объединено ({who})</source>
        <translation>merged ({who})</translation>
    </message>
    <message>
        <source>Оставлен: {kept}
Не принят: {other}</source>
        <translation>Kept: {kept}
Not accepted: {other}</translation>
    </message>
    <message>
        <source>Объединение текста</source>
        <translation>Text merge</translation>
    </message>
</context>
<context>
    <name>DataJobs</name>
    <message>
        <source>Открыть базу…</source>
        <translation>Open database…</translation>
    </message>
    <message>
        <source>Создать демо-базу…</source>
        <translation>Create demo database…</translation>
    </message>
    <message>
        <source>Импорт заявок…</source>
        <translation>Import tickets…</translation>
    </message>
    <message>
        <source>Экспорт…</source>
        <translation>Export…</translation>
    </message>
    <message>
        <source>Экспорт всех заявок…</source>
        <translation>Export all tickets…</translation>
    </message>
    <message>
        <source>Заявки текущего фильтра, в порядке очереди (JSON Lines или CSV)</source>
        <translation>Tickets of the current filter, in queue order (JSON Lines or CSV)</translation>
    </message>
    <message>
        <source>Импорт заявок</source>
        <translation>Import tickets</translation>
    </message>
    <message>
        <source>Заявки ({files});;JSON Lines (*.jsonl);;CSV (*.csv);;Все файлы (*)</source>
        <translation>Tickets ({files});;JSON Lines (*.jsonl);;CSV (*.csv);;All files (*)</translation>
    </message>
    <message>
        <source>Импорт из {file}…</source>
        <translation>Importing from {file}…</translation>
    </message>
    <message>
        <source>Импорт: строка {line}</source>
        <translation>Importing: line {line}</translation>
    </message>
    <message>
        <source>Импорт: прочитано {percent} % файла ({done} из {total} КБ)</source>
        <translation>Importing: {percent} % of the file read ({done} of {total} KB)</translation>
    </message>
    <message>
        <source>Импортировано заявок: {count} из {file}</source>
        <translation>Tickets imported: {count} from {file}</translation>
    </message>
    <message>
        <source>Импорт отменён: база не изменена</source>
        <translation>Import cancelled: the database is unchanged</translation>
    </message>
    <message>
        <source>Импорт на рабочем месте общего стола</source>
        <translation>Import on a shared desk&apos;s workstation</translation>
    </message>
    <message>
        <source>Файл {file} не импортирован: {message}</source>
        <translation>File {file} was not imported: {message}</translation>
    </message>
    <message>
        <source>Импорт не выполнен</source>
        <translation>Import failed</translation>
    </message>
    <message>
        <source>Файл {file} не импортирован, база не изменена.
{message}</source>
        <translation>File {file} was not imported; the database is unchanged.
{message}</translation>
    </message>
    <message>
        <source>Экспорт всех заявок</source>
        <translation>Export all tickets</translation>
    </message>
    <message>
        <source>Экспорт заявок</source>
        <translation>Export tickets</translation>
    </message>
    <message>
        <source>Это файл открытой базы; выберите другой файл. Ничего не записано.</source>
        <translation>This is the open database&apos;s file; choose another file. Nothing was written.</translation>
    </message>
    <message>
        <source>Экспорт в {file}…</source>
        <translation>Exporting to {file}…</translation>
    </message>
    <message>
        <source>Выгружаю заявки: {done} из {total}</source>
        <translation>Exporting tickets: {done} of {total}</translation>
    </message>
    <message>
        <source>Выгружено заявок: {count} в {file}</source>
        <translation>Tickets exported: {count} to {file}</translation>
    </message>
    <message>
        <source>Экспорт отменён: файл не записан</source>
        <translation>Export cancelled: the file was not written</translation>
    </message>
    <message>
        <source>Экспорт не выполнен</source>
        <translation>Export failed</translation>
    </message>
    <message>
        <source>Файл {file} не записан.
{message}</source>
        <translation>File {file} was not written.
{message}</translation>
    </message>
    <message>
        <source>Создать демо-базу</source>
        <translation>Create demo database</translation>
    </message>
    <message>
        <source>База OpDesk ({files});;Все файлы (*)</source>
        <translation>OpDesk database ({files});;All files (*)</translation>
    </message>
    <message>
        <source>Сколько заявок создать?</source>
        <translation>How many tickets to create?</translation>
    </message>
    <message>
        <source>Это открытая сейчас база; выберите новый файл. Ничего не изменено.</source>
        <translation>This is the database open now; choose a new file. Nothing was changed.</translation>
    </message>
    <message>
        <source>Создаю демо-базу {file}…</source>
        <translation>Creating demo database {file}…</translation>
    </message>
    <message>
        <source>Строю индексы…</source>
        <translation>Building indexes…</translation>
    </message>
    <message>
        <source>Создаю заявки: {done} из {total}</source>
        <translation>Creating tickets: {done} of {total}</translation>
    </message>
    <message>
        <source>Демо-база создана</source>
        <translation>Demo database created</translation>
    </message>
    <message>
        <source>Демо-база {path} создана: заявок {count}. Открыть её сейчас?</source>
        <translation>Demo database {path} created: {count} tickets. Open it now?</translation>
    </message>
    <message>
        <source>Создание демо-базы отменено: файл удалён</source>
        <translation>Demo database creation cancelled: the file was deleted</translation>
    </message>
    <message>
        <source>В файле {path} уже есть данные; он не изменён. Выберите новый файл.</source>
        <translation>The file {path} already holds data; it was not changed. Choose a new file.</translation>
    </message>
    <message>
        <source>Демо-база не создана</source>
        <translation>Demo database not created</translation>
    </message>
    <message>
        <source>Открыть базу</source>
        <translation>Open database</translation>
    </message>
</context>
<context>
    <name>DetailView</name>
    <message>
        <source>заметка</source>
        <translation>note</translation>
    </message>
    <message>
        <source>итог звонка</source>
        <translation>call result</translation>
    </message>
    <message>
        <source>попытка перезвона</source>
        <translation>call-back attempt</translation>
    </message>
    <message>
        <source>ответ клиента</source>
        <translation>client&apos;s reply</translation>
    </message>
    <message>
        <source>ответ клиенту</source>
        <translation>reply to the client</translation>
    </message>
    <message>
        <source>создана</source>
        <translation>created</translation>
    </message>
    <message>
        <source>статус</source>
        <translation>status</translation>
    </message>
    <message>
        <source>действие</source>
        <translation>action</translation>
    </message>
    <message>
        <source>причина</source>
        <translation>reason</translation>
    </message>
    <message>
        <source>поле</source>
        <translation>field</translation>
    </message>
    <message>
        <source>комментарий</source>
        <translation>comment</translation>
    </message>
    <message>
        <source>исходящий запрос</source>
        <translation>outgoing request</translation>
    </message>
    <message>
        <source>ответ отдела</source>
        <translation>department&apos;s answer</translation>
    </message>
    <message>
        <source>отчёт о закрытии</source>
        <translation>closing report</translation>
    </message>
    <message>
        <source>подтверждение</source>
        <translation>confirmation</translation>
    </message>
    <message>
        <source>передача</source>
        <translation>hand-over</translation>
    </message>
    <message>
        <source>процесс</source>
        <translation>process</translation>
    </message>
    <message>
        <source>импорт</source>
        <translation>import</translation>
    </message>
    <message>
        <source>связанная</source>
        <translation>related</translation>
    </message>
    <message>
        <source>второе обращение</source>
        <translation>second request</translation>
    </message>
    <message>
        <source>идёт</source>
        <translation>running</translation>
    </message>
    <message>
        <source>пауза</source>
        <translation>paused</translation>
    </message>
    <message>
        <source>просрочено</source>
        <translation>breached</translation>
    </message>
    <message>
        <source>выполнено в срок</source>
        <translation>met on time</translation>
    </message>
    <message>
        <source>не начат</source>
        <translation>not started</translation>
    </message>
    <message>
        <source>не контролируется</source>
        <translation>not monitored</translation>
    </message>
    <message>
        <source>срок не задан исполнителем</source>
        <translation>no due date set by the assignee</translation>
    </message>
    <message>
        <source>Выберите заявку в очереди</source>
        <translation>Select a ticket in the queue</translation>
    </message>
    <message>
        <source>SLA по этапам</source>
        <translation>SLA by stage</translation>
    </message>
    <message>
        <source>Когда</source>
        <translation>When</translation>
    </message>
    <message>
        <source>Что</source>
        <translation>What</translation>
    </message>
    <message>
        <source>Кто</source>
        <translation>Who</translation>
    </message>
    <message>
        <source>История и комментарии</source>
        <translation>History and comments</translation>
    </message>
    <message>
        <source>Отдел</source>
        <translation>Department</translation>
    </message>
    <message>
        <source>Отправлен</source>
        <translation>Sent</translation>
    </message>
    <message>
        <source>Напоминание</source>
        <translation>Reminder</translation>
    </message>
    <message>
        <source>Ответ</source>
        <translation>Answer</translation>
    </message>
    <message>
        <source>Исходящие запросы (U-06)</source>
        <translation>Outgoing requests (U-06)</translation>
    </message>
    <message>
        <source>Номер</source>
        <translation>Number</translation>
    </message>
    <message>
        <source>Создана</source>
        <translation>Created</translation>
    </message>
    <message>
        <source>Статус</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Тема</source>
        <translation>Subject</translation>
    </message>
    <message>
        <source>Другие заявки клиента (U-02)</source>
        <translation>The client&apos;s other tickets (U-02)</translation>
    </message>
    <message>
        <source>Связь</source>
        <translation>Link</translation>
    </message>
    <message>
        <source>Связанные заявки</source>
        <translation>Linked tickets</translation>
    </message>
    <message>
        <source>Важный</source>
        <translation>Important</translation>
    </message>
    <message>
        <source>Процесс</source>
        <translation>Process</translation>
    </message>
    <message>
        <source>Приоритет</source>
        <translation>Priority</translation>
    </message>
    <message>
        <source>Категория</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>Тип</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>Классификация</source>
        <translation>Classification</translation>
    </message>
    <message>
        <source>Клиент</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>Телефон</source>
        <translation>Phone</translation>
    </message>
    <message>
        <source>Владелец</source>
        <translation>Owner</translation>
    </message>
    <message>
        <source>Уведомления</source>
        <translation>Notifications</translation>
    </message>
    <message>
        <source>Редактирование</source>
        <translation>Editing</translation>
    </message>
    <message>
        <source>нет ответа</source>
        <translation>no answer</translation>
    </message>
    <message>
        <source>только после возобновления ({rule})</source>
        <translation>only after reopening ({rule})</translation>
    </message>
    <message>
        <source>возможно до {until} ({rule})</source>
        <translation>possible until {until} ({rule})</translation>
    </message>
    <message>
        <source>окно закрылось в {until} ({rule})</source>
        <translation>the window closed at {until} ({rule})</translation>
    </message>
    <message>
        <source>тип обращения (U-03)</source>
        <translation>request type (U-03)</translation>
    </message>
    <message>
        <source>«Не уведомлять» клиента (P-09)</source>
        <translation>“Do not notify” the client (P-09)</translation>
    </message>
    <message>
        <source>SLA-планы (B-05) к процессу этой заявки не применяются</source>
        <translation>SLA plans (B-05) do not apply to this ticket&apos;s process</translation>
    </message>
    <message>
        <source>, срок {when}</source>
        <translation>, due {when}</translation>
    </message>
    <message>
        <source>, пауза {n} мин</source>
        <translation>, paused {n} min</translation>
    </message>
    <message>
        <source>⚑ Смежный отдел не ответил за {hours} ч: {departments}, напоминание {when}. Сообщите клиенту по шаблону «ответ от коллег ещё не получили» (U-09) — {keys}</source>
        <translation>⚑ Another department has not answered in {hours} h: {departments}, reminder {when}. Tell the client with the “no answer from colleagues yet” template (U-09) — {keys}</translation>
    </message>
</context>
<context>
    <name>FilterPanel</name>
    <message>
        <source>— любой —</source>
        <translation>— any —</translation>
    </message>
    <message>
        <source>просрочено</source>
        <translation>breached</translation>
    </message>
    <message>
        <source>под угрозой</source>
        <translation>at risk</translation>
    </message>
    <message>
        <source>пауза</source>
        <translation>paused</translation>
    </message>
    <message>
        <source>в срок</source>
        <translation>on time</translation>
    </message>
    <message>
        <source>Мои</source>
        <translation>Mine</translation>
    </message>
    <message>
        <source>Новые</source>
        <translation>New</translation>
    </message>
    <message>
        <source>Просрочено</source>
        <translation>Breached</translation>
    </message>
    <message>
        <source>Под угрозой</source>
        <translation>At risk</translation>
    </message>
    <message>
        <source>VIP и Важные</source>
        <translation>VIP and Important</translation>
    </message>
    <message>
        <source>Ждут клиента</source>
        <translation>Waiting for the client</translation>
    </message>
    <message>
        <source>Ждут смежный отдел &gt; 24 ч</source>
        <translation>Waiting for another department &gt; 24 h</translation>
    </message>
    <message>
        <source>Закрыты сегодня</source>
        <translation>Closed today</translation>
    </message>
    <message>
        <source>Все</source>
        <translation>All</translation>
    </message>
    <message>
        <source>Поиск: номер, телефон, клиент, слова (Ctrl+F)</source>
        <translation>Search: number, phone, client, words (Ctrl+F)</translation>
    </message>
    <message>
        <source>Сохранённые фильтры</source>
        <translation>Saved filters</translation>
    </message>
    <message>
        <source>Сбросить</source>
        <translation>Reset</translation>
    </message>
    <message>
        <source>Сохранить фильтр…</source>
        <translation>Save filter…</translation>
    </message>
    <message>
        <source>мои</source>
        <translation>mine</translation>
    </message>
    <message>
        <source>без владельца</source>
        <translation>unassigned</translation>
    </message>
    <message>
        <source>только открытые</source>
        <translation>open only</translation>
    </message>
    <message>
        <source>Процесс</source>
        <translation>Process</translation>
    </message>
    <message>
        <source>Статус</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Уровень</source>
        <translation>Level</translation>
    </message>
    <message>
        <source>Приоритет</source>
        <translation>Priority</translation>
    </message>
    <message>
        <source>Категория</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>Клиент</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>SLA</source>
        <translation>SLA</translation>
    </message>
    <message>
        <source>Владелец</source>
        <translation>Owner</translation>
    </message>
    <message>
        <source>Отдел</source>
        <translation>Department</translation>
    </message>
    <message>
        <source>Создана</source>
        <translation>Created</translation>
    </message>
    <message>
        <source>Сохранить фильтр</source>
        <translation>Save filter</translation>
    </message>
    <message>
        <source>Название фильтра:</source>
        <translation>Filter name:</translation>
    </message>
</context>
<context>
    <name>JobDialog</name>
    <message>
        <source>Отменяю… Уже сделанное будет отменено.</source>
        <translation>Cancelling… What has been done will be undone.</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>Вход на сервер</source>
        <translation>Log in to the server</translation>
    </message>
    <message>
        <source>например, desk.example.ru:8443</source>
        <translation>e.g. desk.example.com:8443</translation>
    </message>
    <message>
        <source>Сервер</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>Логин</source>
        <translation>Login</translation>
    </message>
    <message>
        <source>Пароль</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>На этом компьютере нет хранилища ключей (keyring): вход будет действовать только до закрытия OpDesk, потом понадобится пароль.</source>
        <translation>This computer has no keyring: the login lasts only until OpDesk is closed; then the password is needed again.</translation>
    </message>
    <message>
        <source>Войти</source>
        <translation>Log in</translation>
    </message>
    <message>
        <source>Укажите сервер, логин и пароль.</source>
        <translation>Enter the server, the login and the password.</translation>
    </message>
    <message>
        <source>Вхожу на сервер {server}…</source>
        <translation>Logging in to {server}…</translation>
    </message>
    <message>
        <source>Вход не выполнен: {why}</source>
        <translation>Not logged in: {why}</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>&amp;Файл</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <source>Настройки…</source>
        <translation>Settings…</translation>
    </message>
    <message>
        <source>Выход</source>
        <translation>Quit</translation>
    </message>
    <message>
        <source>&amp;Заявка</source>
        <translation>&amp;Ticket</translation>
    </message>
    <message>
        <source>&amp;Вид</source>
        <translation>&amp;View</translation>
    </message>
    <message>
        <source>Обновить</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <source>Карточка снизу / справа</source>
        <translation>Ticket card below / right</translation>
    </message>
    <message>
        <source>&amp;Справка</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <source>Клавиатурные сокращения</source>
        <translation>Keyboard shortcuts</translation>
    </message>
    <message>
        <source>Регламент…</source>
        <translation>Regulations…</translation>
    </message>
    <message>
        <source>О программе</source>
        <translation>About</translation>
    </message>
    <message>
        <source>Действия</source>
        <translation>Actions</translation>
    </message>
    <message>
        <source>Сменить статус</source>
        <translation>Change status</translation>
    </message>
    <message>
        <source>Поиск</source>
        <translation>Search</translation>
    </message>
    <message>
        <source>Движение по очереди</source>
        <translation>Move through the queue</translation>
    </message>
    <message>
        <source>В карточку заявки</source>
        <translation>To the ticket card</translation>
    </message>
    <message>
        <source>Назад в очередь</source>
        <translation>Back to the queue</translation>
    </message>
    <message>
        <source>О программе OpDesk</source>
        <translation>About OpDesk</translation>
    </message>
    <message>
        <source>Регламент: {pack} ({file})&lt;br&gt;База: {db}&lt;br&gt;Журнал: {logs}</source>
        <translation>Regulations: {pack} ({file})&lt;br&gt;Database: {db}&lt;br&gt;Logs: {logs}</translation>
    </message>
    <message>
        <source>Открываю локальную базу…</source>
        <translation>Opening the local database…</translation>
    </message>
    <message>
        <source>База открыта (созданы демо-данные): {path}</source>
        <translation>Database opened (demo data created): {path}</translation>
    </message>
    <message>
        <source>База открыта: {path}</source>
        <translation>Database opened: {path}</translation>
    </message>
    <message>
        <source>База не открыта</source>
        <translation>Database not opened</translation>
    </message>
    <message>
        <source>OpDesk — база данных</source>
        <translation>OpDesk — database</translation>
    </message>
    <message>
        <source>Открытие базы</source>
        <translation>Opening the database</translation>
    </message>
    <message>
        <source>Проверяю и открываю базу {path}…</source>
        <translation>Checking and opening the database {path}…</translation>
    </message>
    <message>
        <source>Открытие базы отменено</source>
        <translation>Opening the database cancelled</translation>
    </message>
    <message>
        <source>Настройки сохранены; язык и база данных применятся после перезапуска</source>
        <translation>Settings saved; the language and the database apply after a restart</translation>
    </message>
    <message>
        <source>Настройки сохранены</source>
        <translation>Settings saved</translation>
    </message>
    <message>
        <source>Фильтр не выполнен: {message}</source>
        <translation>Filter failed: {message}</translation>
    </message>
    <message>
        <source>В очереди: {count}</source>
        <translation>In the queue: {count}</translation>
    </message>
    <message>
        <source>Поля</source>
        <translation>Fields</translation>
    </message>
</context>
<context>
    <name>MergeDialog</name>
    <message>
        <source>Объединение: {number} · {field}</source>
        <translation>Merge: {number} · {field}</translation>
    </message>
    <message>
        <source>Поле «{field}» изменили на двух рабочих местах. Сервер оставил текст, который пришёл первым; второй сохранён здесь. Соберите итоговый текст и сохраните его.</source>
        <translation>The field «{field}» was changed on two workstations. The server kept the text that came first; the other one is kept here. Put together the final text and save it.</translation>
    </message>
    <message>
        <source>Взять этот текст ↓</source>
        <translation>Take this text ↓</translation>
    </message>
    <message>
        <source>Сейчас в заявке (сервер):</source>
        <translation>In the ticket now (the server):</translation>
    </message>
    <message>
        <source>Не принятый текст:</source>
        <translation>The text not accepted:</translation>
    </message>
    <message>
        <source>Сохранить объединение</source>
        <translation>Save the merge</translation>
    </message>
    <message>
        <source>Итоговый текст:</source>
        <translation>Final text:</translation>
    </message>
</context>
<context>
    <name>NewRequest</name>
    <message>
        <source>Новое обращение (звонок)…</source>
        <translation>New request (call)…</translation>
    </message>
</context>
<context>
    <name>NewRequestDialog</name>
    <message>
        <source>Новое обращение (звонок)</source>
        <translation>New request (call)</translation>
    </message>
    <message>
        <source>Кто звонит (S-03: номер, по которому обращается клиент)</source>
        <translation>Caller (S-03: the number the client calls about)</translation>
    </message>
    <message>
        <source>Телефон</source>
        <translation>Phone</translation>
    </message>
    <message>
        <source>Клиент</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>Номер</source>
        <translation>Number</translation>
    </message>
    <message>
        <source>Создана</source>
        <translation>Created</translation>
    </message>
    <message>
        <source>Статус</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Суть</source>
        <translation>Summary</translation>
    </message>
    <message>
        <source>Двойной щелчок открывает заявку в карточке</source>
        <translation>Double-click opens the ticket in the card</translation>
    </message>
    <message>
        <source>Открытые и недавние</source>
        <translation>Open and recent</translation>
    </message>
    <message>
        <source>по умолчанию — тема и подтема</source>
        <translation>default: theme and subtheme</translation>
    </message>
    <message>
        <source>Суть обращения</source>
        <translation>Request summary</translation>
    </message>
    <message>
        <source>Создать</source>
        <translation>Create</translation>
    </message>
    <message>
        <source>Создать и закрыть по окончанию диалога</source>
        <translation>Create and close at the end of the call</translation>
    </message>
    <message>
        <source>S-09: статус «Закрыт по окончанию диалога»; изменить обращение можно в течение 5 минут после закрытия. Связанная «Заявка» на компенсацию/корректировку остаётся открытой: по ней компенсацию ещё проводят.</source>
        <translation>S-09: status “Closed at the end of the call”; the request can be changed within 5 minutes after closing. The linked ticket of type “Request” for the compensation/correction stays open: the compensation is still being carried out on it.</translation>
    </message>
    <message>
        <source>Следующий звонок</source>
        <translation>Next call</translation>
    </message>
    <message>
        <source>Закрыть</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Поиск клиента не выполнен: {m}</source>
        <translation>Client lookup failed: {m}</translation>
    </message>
    <message>
        <source>клиент не найден — обращение будет зарегистрировано на номер</source>
        <translation>client not found — the request will be registered on the number</translation>
    </message>
    <message>
        <source>введите номер телефона</source>
        <translation>enter a phone number</translation>
    </message>
    <message>
        <source>открытых: {open}, недавних закрытых: {recent}</source>
        <translation>open: {open}, recently closed: {recent}</translation>
    </message>
    <message>
        <source>Что будет создано</source>
        <translation>What will be created</translation>
    </message>
    <message>
        <source>Пока создать нельзя ({rules}): {why}</source>
        <translation>Cannot be created yet ({rules}): {why}</translation>
    </message>
    <message>
        <source>связанное «{type}» к №{n} ({rules})</source>
        <translation>linked “{type}” to №{n} ({rules})</translation>
    </message>
    <message>
        <source> и </source>
        <translation> and </translation>
    </message>
    <message>
        <source>Будет создано {count} {noun}: {items}</source>
        <translation>{count} {noun} will be created: {items}</translation>
    </message>
    <message>
        <source>; не регистрируются вопросы {list}</source>
        <translation>; questions not registered: {list}</translation>
    </message>
    <message>
        <source>обращение</source>
        <translation>request</translation>
    </message>
    <message>
        <source>обращения</source>
        <translation>requests</translation>
    </message>
    <message>
        <source>обращений</source>
        <translation>requests</translation>
    </message>
    <message>
        <source>&lt;b&gt;Не создано&lt;/b&gt;: регламент не разрешает.</source>
        <translation>&lt;b&gt;Not created&lt;/b&gt;: the regulations do not allow it.</translation>
    </message>
    <message>
        <source>Новое обращение</source>
        <translation>New request</translation>
    </message>
    <message>
        <source>, связан с {number} (S-02)</source>
        <translation>, linked to {number} (S-02)</translation>
    </message>
    <message>
        <source>; редактирование возможно до {time} (S-09)</source>
        <translation>; editable until {time} (S-09)</translation>
    </message>
</context>
<context>
    <name>PackView</name>
    <message>
        <source>Регламент — {name}</source>
        <translation>Regulations — {name}</translation>
    </message>
    <message>
        <source>версия {version} · правил: {rules}</source>
        <translation>version {version} · rules: {rules}</translation>
    </message>
    <message>
        <source>Процессы и статусы</source>
        <translation>Processes and statuses</translation>
    </message>
    <message>
        <source>Правила</source>
        <translation>Rules</translation>
    </message>
    <message>
        <source>Изменения регламента</source>
        <translation>Changes to the regulations</translation>
    </message>
    <message>
        <source>Процесс / статус</source>
        <translation>Process / status</translation>
    </message>
    <message>
        <source>Стадия</source>
        <translation>Stage</translation>
    </message>
    <message>
        <source>Часы SLA</source>
        <translation>SLA clock</translation>
    </message>
    <message>
        <source>идут</source>
        <translation>running</translation>
    </message>
    <message>
        <source>пауза</source>
        <translation>paused</translation>
    </message>
    <message>
        <source>остановлены</source>
        <translation>stopped</translation>
    </message>
    <message>
        <source>текущий уровень</source>
        <translation>current level</translation>
    </message>
    <message>
        <source>(окончательный)</source>
        <translation>(final)</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>Правило</source>
        <translation>Rule</translation>
    </message>
    <message>
        <source>Источник</source>
        <translation>Source</translation>
    </message>
    <message>
        <source>Дата</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>Автор</source>
        <translation>Author</translation>
    </message>
    <message>
        <source>Изменение</source>
        <translation>Change</translation>
    </message>
</context>
<context>
    <name>PersonDialog</name>
    <message>
        <source>Кто работает за этим местом?</source>
        <translation>Who works at this desk?</translation>
    </message>
    <message>
        <source>без отдела</source>
        <translation>no department</translation>
    </message>
</context>
<context>
    <name>ProblemsDialog</name>
    <message>
        <source>Импорт отклонён</source>
        <translation>Import rejected</translation>
    </message>
    <message>
        <source>Файл {file} не импортирован: в нём ошибки ({count}). В базу ничего не записано. Исправьте строки и повторите импорт.</source>
        <translation>File {file} was not imported: it has errors ({count}). Nothing was written to the database. Fix the lines and import again.</translation>
    </message>
    <message>
        <source>…и ещё {count}</source>
        <translation>…and {count} more</translation>
    </message>
    <message>
        <source>Файл: {message}</source>
        <translation>File: {message}</translation>
    </message>
    <message>
        <source>Строка {line}, {field}: {message}</source>
        <translation>Line {line}, {field}: {message}</translation>
    </message>
</context>
<context>
    <name>QuestionEditor</name>
    <message>
        <source>Вопросы клиента (S-02, S-06: одно обращение на звонок)</source>
        <translation>Client&apos;s questions (S-02, S-06: one request per call)</translation>
    </message>
    <message>
        <source>— выберите тему —</source>
        <translation>— choose a theme —</translation>
    </message>
    <message>
        <source>Добавить вопрос</source>
        <translation>Add question</translation>
    </message>
    <message>
        <source>Удалить вопрос</source>
        <translation>Remove question</translation>
    </message>
    <message>
        <source>Продукт</source>
        <translation>Product</translation>
    </message>
    <message>
        <source>Тема</source>
        <translation>Subject</translation>
    </message>
    <message>
        <source>Тип</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>Подтема</source>
        <translation>Subtheme</translation>
    </message>
    <message>
        <source>если клиент спрашивает о другом номере</source>
        <translation>if the client asks about another number</translation>
    </message>
    <message>
        <source>Номер вопроса</source>
        <translation>Number in question</translation>
    </message>
    <message>
        <source>компенсация</source>
        <translation>compensation</translation>
    </message>
    <message>
        <source>корректировка</source>
        <translation>correction</translation>
    </message>
    <message>
        <source>Компенсация / корректировка</source>
        <translation>Compensation / correction</translation>
    </message>
    <message>
        <source>контент-номер, о котором вопрос</source>
        <translation>the content number asked about</translation>
    </message>
    <message>
        <source>Контент-номер</source>
        <translation>Content number</translation>
    </message>
    <message>
        <source>номер МИ, если СЗ привязан к МИ</source>
        <translation>mass incident number, if the request is tied to one</translation>
    </message>
    <message>
        <source>Массовый инцидент</source>
        <translation>Mass incident</translation>
    </message>
    <message>
        <source>Жалоба обоснована</source>
        <translation>Complaint is justified</translation>
    </message>
    <message>
        <source>СЗ требуется геокодировать</source>
        <translation>Request must be geocoded</translation>
    </message>
    <message>
        <source>Услуга переподключается в АСР</source>
        <translation>Service is reconnected in ASR</translation>
    </message>
    <message>
        <source>Основная подтема (S-06)</source>
        <translation>Main subtheme (S-06)</translation>
    </message>
    <message>
        <source>Нужна претензия в ГОП</source>
        <translation>Claim to GOP needed</translation>
    </message>
    <message>
        <source>(не классифицирован)</source>
        <translation>(not classified)</translation>
    </message>
    <message>
        <source>— тип —</source>
        <translation>— type —</translation>
    </message>
    <message>
        <source>Продукт *</source>
        <translation>Product *</translation>
    </message>
    <message>
        <source>S-04: для темы «{theme}» продукт обязателен</source>
        <translation>S-04: a product is required for the theme “{theme}”</translation>
    </message>
    <message>
        <source>— подтема —</source>
        <translation>— subtheme —</translation>
    </message>
    <message>
        <source>Вопрос не регистрируется: {why}</source>
        <translation>The question is not registered: {why}</translation>
    </message>
    <message>
        <source>Тип по регламенту: «{type}» — {why}</source>
        <translation>Type by the regulations: “{type}” — {why}</translation>
    </message>
    <message>
        <source>Тип: «{type}»</source>
        <translation>Type: “{type}”</translation>
    </message>
</context>
<context>
    <name>QueueModel</name>
    <message>
        <source>Номер</source>
        <translation>Number</translation>
    </message>
    <message>
        <source>Создана</source>
        <translation>Created</translation>
    </message>
    <message>
        <source>Клиент</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>Тема / категория</source>
        <translation>Topic / category</translation>
    </message>
    <message>
        <source>Приоритет</source>
        <translation>Priority</translation>
    </message>
    <message>
        <source>Статус</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Уровень</source>
        <translation>Level</translation>
    </message>
    <message>
        <source>Владелец</source>
        <translation>Owner</translation>
    </message>
    <message>
        <source>Отдел</source>
        <translation>Department</translation>
    </message>
    <message>
        <source>SLA</source>
        <translation>SLA</translation>
    </message>
    <message>
        <source>в срок</source>
        <translation>on time</translation>
    </message>
    <message>
        <source>под угрозой</source>
        <translation>at risk</translation>
    </message>
    <message>
        <source>просрочено</source>
        <translation>breached</translation>
    </message>
    <message>
        <source>пауза</source>
        <translation>paused</translation>
    </message>
    <message>
        <source>Не сортируется</source>
        <translation>Not sortable</translation>
    </message>
    <message>
        <source>Смежный отдел не ответил: напоминание по исходящему запросу — {when} (U-06, U-09). Сообщите клиенту по шаблону «ответ от коллег ещё не получили» (Ctrl+R)</source>
        <translation>Another department has not answered: outgoing-request reminder {when} (U-06, U-09). Tell the client with the “no answer from colleagues yet” template (Ctrl+R)</translation>
    </message>
    <message>
        <source>SLA не применяется к процессу этой заявки</source>
        <translation>SLA does not apply to this ticket&apos;s process</translation>
    </message>
    <message>
        <source>SLA: {state}; срок этапа — {due} (рабочее время)</source>
        <translation>SLA: {state}; stage due {due} (working time)</translation>
    </message>
    <message>
        <source>{days} р.д. {hours} ч</source>
        <translation>{days} wd {hours} h</translation>
    </message>
    <message>
        <source>{hours} ч {mins:02d} мин</source>
        <translation>{hours} h {mins:02d} min</translation>
    </message>
    <message>
        <source>{mins} мин</source>
        <translation>{mins} min</translation>
    </message>
</context>
<context>
    <name>Reasons</name>
    <message>
        <source>, документ {n}</source>
        <translation>, document {n}</translation>
    </message>
</context>
<context>
    <name>RefusalPanel</name>
    <message>
        <source>Отказ регламента</source>
        <translation>Refused by the regulations</translation>
    </message>
    <message>
        <source>{title}: не выполнено</source>
        <translation>{title}: not done</translation>
    </message>
    <message>
        <source>Ничего не изменено.</source>
        <translation>Nothing was changed.</translation>
    </message>
</context>
<context>
    <name>Roles</name>
    <message>
        <source>оператор</source>
        <translation>operator</translation>
    </message>
    <message>
        <source>руководитель</source>
        <translation>team lead</translation>
    </message>
    <message>
        <source>тренер</source>
        <translation>trainer</translation>
    </message>
    <message>
        <source>админ</source>
        <translation>admin</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Настройки</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>в базе нет сотрудников</source>
        <translation>no people in the database</translation>
    </message>
    <message>
        <source>Сотрудник</source>
        <translation>Person</translation>
    </message>
    <message>
        <source>Язык</source>
        <translation>Language</translation>
    </message>
    <message>
        <source>по умолчанию: {path}</source>
        <translation>default: {path}</translation>
    </message>
    <message>
        <source>Обзор…</source>
        <translation>Browse…</translation>
    </message>
    <message>
        <source>Файл базы данных</source>
        <translation>Database file</translation>
    </message>
    <message>
        <source>пусто — без сервера (одно рабочее место); например, desk.example.ru:8443</source>
        <translation>empty: no server (a lone desk); e.g. desk.example.com:8443</translation>
    </message>
    <message>
        <source>Сервер</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>Язык и файл базы данных применяются после перезапуска OpDesk.</source>
        <translation>The language and the database file apply after OpDesk is restarted.</translation>
    </message>
    <message>
        <source>Базы SQLite (*.sqlite3 *.sqlite *.db);;Все файлы (*)</source>
        <translation>SQLite databases (*.sqlite3 *.sqlite *.db);;All files (*)</translation>
    </message>
</context>
<context>
    <name>SharedDesk</name>
    <message>
        <source>Войти на сервер…</source>
        <translation>Log in to the server…</translation>
    </message>
    <message>
        <source>Синхронизировать сейчас</source>
        <translation>Sync now</translation>
    </message>
    <message>
        <source>Выйти с сервера</source>
        <translation>Log out of the server</translation>
    </message>
    <message>
        <source>Состояние синхронизации…</source>
        <translation>Sync status…</translation>
    </message>
    <message>
        <source>Вход выполнен: {name}</source>
        <translation>Logged in: {name}</translation>
    </message>
    <message>
        <source>(вход действует до закрытия OpDesk: нет хранилища ключей)</source>
        <translation>(the login lasts until OpDesk is closed: no keyring)</translation>
    </message>
    <message>
        <source>Вы вышли с сервера; изменения копятся на рабочем месте</source>
        <translation>Logged out of the server; changes are kept on this workstation</translation>
    </message>
    <message>
        <source>Сервер не задан: Файл → Настройки → «Сервер»</source>
        <translation>No server set: File → Settings → “Server”</translation>
    </message>
    <message>
        <source>Сервер отклонил «{action}» ({tickets}): {reason}</source>
        <translation>The server refused “{action}” ({tickets}): {reason}</translation>
    </message>
    <message>
        <source>Синхронизация не выполнена: {message}</source>
        <translation>Sync failed: {message}</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <source>Клавиатурные сокращения</source>
        <translation>Keyboard shortcuts</translation>
    </message>
    <message>
        <source>Клавиши</source>
        <translation>Keys</translation>
    </message>
    <message>
        <source>Действие</source>
        <translation>Action</translation>
    </message>
</context>
<context>
    <name>SyncPanel</name>
    <message>
        <source>Синхронизация с сервером</source>
        <translation>Sync with the server</translation>
    </message>
    <message>
        <source>Последние операции, отклонённые сервером (на этом рабочем месте они отменены):</source>
        <translation>The latest operations the server refused (undone on this workstation):</translation>
    </message>
    <message>
        <source>Время</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>Заявка</source>
        <translation>Ticket</translation>
    </message>
    <message>
        <source>Действие</source>
        <translation>Action</translation>
    </message>
    <message>
        <source>Причина</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>Синхронизировать сейчас</source>
        <translation>Sync now</translation>
    </message>
    <message>
        <source>Войти на сервер…</source>
        <translation>Log in to the server…</translation>
    </message>
    <message>
        <source>Сервер: {server}</source>
        <translation>Server: {server}</translation>
    </message>
    <message>
        <source>Последняя синхронизация: {at}</source>
        <translation>Last sync: {at}</translation>
    </message>
    <message>
        <source>Ждут отправки: {n}</source>
        <translation>Waiting to be sent: {n}</translation>
    </message>
    <message>
        <source>Причина: {why}</source>
        <translation>Reason: {why}</translation>
    </message>
    <message>
        <source>Не совпадают с сервером: {tables}</source>
        <translation>Differ from the server: {tables}</translation>
    </message>
</context>
<context>
    <name>SyncStatus</name>
    <message>
        <source>Взять в работу</source>
        <translation>Take</translation>
    </message>
    <message>
        <source>Эскалировать</source>
        <translation>Escalate</translation>
    </message>
    <message>
        <source>Закрыть</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Переоткрыть</source>
        <translation>Reopen</translation>
    </message>
    <message>
        <source>Отменить</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Смена статуса</source>
        <translation>Status change</translation>
    </message>
    <message>
        <source>Смена процесса</source>
        <translation>Process change</translation>
    </message>
    <message>
        <source>Поля заявки</source>
        <translation>Ticket fields</translation>
    </message>
    <message>
        <source>Передать в отдел</source>
        <translation>Hand over to a department</translation>
    </message>
    <message>
        <source>Комментарий</source>
        <translation>Comment</translation>
    </message>
    <message>
        <source>Исходящий запрос в отдел</source>
        <translation>Outgoing request to a department</translation>
    </message>
    <message>
        <source>Ответ отдела</source>
        <translation>Department&apos;s answer</translation>
    </message>
    <message>
        <source>Отчёт о закрытии</source>
        <translation>Closing report</translation>
    </message>
    <message>
        <source>Подтверждение клиента</source>
        <translation>Client&apos;s confirmation</translation>
    </message>
    <message>
        <source>Закрытие заявки</source>
        <translation>Closing the ticket</translation>
    </message>
    <message>
        <source>Закрытие с отчётом</source>
        <translation>Closing with a report</translation>
    </message>
    <message>
        <source>Ответ клиенту</source>
        <translation>Reply to the client</translation>
    </message>
    <message>
        <source>Новая заявка</source>
        <translation>New ticket</translation>
    </message>
    <message>
        <source>Обращение (звонок)</source>
        <translation>Request (call)</translation>
    </message>
    <message>
        <source>Заявку уже взял в работу {name}.</source>
        <translation>{name} has already taken the ticket.</translation>
    </message>
    <message>
        <source>Синхронизация: локально</source>
        <translation>Sync: local</translation>
    </message>
    <message>
        <source>Сервер: вход не выполнен</source>
        <translation>Server: not logged in</translation>
    </message>
    <message>
        <source>Сервер: войдите снова</source>
        <translation>Server: log in again</translation>
    </message>
    <message>
        <source>Сервер: вход выполнен, синхронизация…</source>
        <translation>Server: logged in, syncing…</translation>
    </message>
    <message>
        <source>В сети · {at}</source>
        <translation>Online · {at}</translation>
    </message>
    <message>
        <source>Нет связи · последняя синхронизация {at}</source>
        <translation>Offline · last sync {at}</translation>
    </message>
    <message>
        <source>Ошибка синхронизации</source>
        <translation>Sync error</translation>
    </message>
    <message>
        <source>ждут отправки: {n}</source>
        <translation>waiting to be sent: {n}</translation>
    </message>
    <message>
        <source>отклонено сервером: {n}</source>
        <translation>refused by the server: {n}</translation>
    </message>
    <message>
        <source>конфликтов к объединению: {n}</source>
        <translation>conflicts to merge: {n}</translation>
    </message>
    <message>
        <source>расхождение с сервером</source>
        <translation>differs from the server</translation>
    </message>
    <message>
        <source>Нажмите, чтобы увидеть подробности синхронизации</source>
        <translation>Click for the sync details</translation>
    </message>
</context>
<context>
    <name>TemplatePicker</name>
    <message>
        <source>Ответ по шаблону</source>
        <translation>Template reply</translation>
    </message>
    <message>
        <source>Копировать</source>
        <translation>Copy</translation>
    </message>
    <message>
        <source>Добавить в заявку как ответ</source>
        <translation>Add to the ticket as a reply</translation>
    </message>
    <message>
        <source>Выберите заявку в очереди</source>
        <translation>Select a ticket in the queue</translation>
    </message>
    <message>
        <source>Ответ по шаблону — {number}</source>
        <translation>Template reply — {number}</translation>
    </message>
    <message>
        <source>Заявка {number}</source>
        <translation>Ticket {number}</translation>
    </message>
    <message>
        <source>&lt;b&gt;Регламент:&lt;/b&gt; {reason}</source>
        <translation>&lt;b&gt;Regulations:&lt;/b&gt; {reason}</translation>
    </message>
    <message>
        <source>{label} — выбор регламента</source>
        <translation>{label} — chosen by the regulations</translation>
    </message>
    <message>
        <source>После отправки статус заявки: «{status}» (U-05)</source>
        <translation>After sending, the ticket&apos;s status: “{status}” (U-05)</translation>
    </message>
    <message>
        <source>Шаблон не подобран: {message}</source>
        <translation>No template found: {message}</translation>
    </message>
    <message>
        <source>Не заполнено: {names} — впишите вместо выделенного; отправка заблокирована</source>
        <translation>Not filled in: {names} — type over the highlighted text; sending is blocked</translation>
    </message>
    <message>
        <source>Текст ответа скопирован</source>
        <translation>Reply text copied</translation>
    </message>
    <message>
        <source>Ответ добавлен в заявку {number}</source>
        <translation>Reply added to ticket {number}</translation>
    </message>
    <message>
        <source>Ответ не добавлен: {message}</source>
        <translation>Reply not added: {message}</translation>
    </message>
    <message>
        <source>Ответ по шаблону…</source>
        <translation>Template reply…</translation>
    </message>
    <message>
        <source>Ответ клиенту по шаблону регламента (U-08, U-09, C-11)</source>
        <translation>Reply to the client with a regulations template (U-08, U-09, C-11)</translation>
    </message>
</context>
<context>
    <name>TicketActions</name>
    <message>
        <source>Недовольство ходом работ</source>
        <translation>Dissatisfied with the progress</translation>
    </message>
    <message>
        <source>Новые обстоятельства</source>
        <translation>New circumstances</translation>
    </message>
    <message>
        <source>Другие весомые обстоятельства</source>
        <translation>Other weighty circumstances</translation>
    </message>
    <message>
        <source>Заметка</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>Итог звонка (U-07)</source>
        <translation>Call result (U-07)</translation>
    </message>
    <message>
        <source>Попытка перезвонить (S-08)</source>
        <translation>Call-back attempt (S-08)</translation>
    </message>
    <message>
        <source>Ответ клиента</source>
        <translation>Client&apos;s reply</translation>
    </message>
    <message>
        <source>Взять в работу</source>
        <translation>Take</translation>
    </message>
    <message>
        <source>Сменить статус (меню переходов)</source>
        <translation>Change status (transitions menu)</translation>
    </message>
    <message>
        <source>Комментарий</source>
        <translation>Comment</translation>
    </message>
    <message>
        <source>Итог звонка / попытка перезвонить</source>
        <translation>Call result / call-back attempt</translation>
    </message>
    <message>
        <source>Эскалировать</source>
        <translation>Escalate</translation>
    </message>
    <message>
        <source>Исходящий запрос в отдел</source>
        <translation>Outgoing request to a department</translation>
    </message>
    <message>
        <source>Ответ отдела</source>
        <translation>Department&apos;s answer</translation>
    </message>
    <message>
        <source>Передать в отдел</source>
        <translation>Hand over to a department</translation>
    </message>
    <message>
        <source>Категория, приоритет, тип</source>
        <translation>Category, priority, type</translation>
    </message>
    <message>
        <source>«Не уведомлять» (P-09)</source>
        <translation>“Do not notify” (P-09)</translation>
    </message>
    <message>
        <source>Сменить статус</source>
        <translation>Change status</translation>
    </message>
    <message>
        <source>Причина (P-04)</source>
        <translation>Reason (P-04)</translation>
    </message>
    <message>
        <source>Смежные тикеты и история клиента просмотрены (U-02)</source>
        <translation>Related tickets and the client&apos;s history reviewed (U-02)</translation>
    </message>
    <message>
        <source>Вид</source>
        <translation>Kind</translation>
    </message>
    <message>
        <source>Текст</source>
        <translation>Text</translation>
    </message>
    <message>
        <source>Дозвонились (для попытки перезвонить)</source>
        <translation>Reached the client (for a call-back attempt)</translation>
    </message>
    <message>
        <source>Отдел</source>
        <translation>Department</translation>
    </message>
    <message>
        <source>Исходящий запрос (U-06)</source>
        <translation>Outgoing request (U-06)</translation>
    </message>
    <message>
        <source>Исходящий запрос</source>
        <translation>Outgoing request</translation>
    </message>
    <message>
        <source>Ответ</source>
        <translation>Answer</translation>
    </message>
    <message>
        <source>Передать</source>
        <translation>Hand over</translation>
    </message>
    <message>
        <source>Категория</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>Приоритет</source>
        <translation>Priority</translation>
    </message>
    <message>
        <source>Тип</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>Категория и приоритет (U-03, U-04, B-05)</source>
        <translation>Category and priority (U-03, U-04, B-05)</translation>
    </message>
    <message>
        <source>Поля</source>
        <translation>Fields</translation>
    </message>
    <message>
        <source>«Не уведомлять»</source>
        <translation>“Do not notify”</translation>
    </message>
</context>
</TS>
