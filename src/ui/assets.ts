// The UI's two static assets, served from the Worker (no CDN): one stylesheet and one small script for
// bulk selection, copy-to-clipboard and confirmation prompts. Pages work without the script.

export const STYLES = `
:root{--bg:#fbfafc;--fg:#2b2233;--muted:#6e6578;--line:#e3dfe8;--panel:#fff;--accent:#6c5fc7;--accent-fg:#fff;
--err:#e03e2f;--warn:#f5a623;--info:#3d74db;--ok:#2ba185;--fatal:#a51d2d;--code:#f4f2f7;--focus:#3d74db}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--accent)}
a:hover{text-decoration:underline}
:focus-visible{outline:2px solid var(--focus);outline-offset:2px}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
pre{background:var(--code);padding:8px;border-radius:4px;overflow:auto;white-space:pre-wrap;word-break:break-word}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:6px;z-index:9}
header.top{display:flex;flex-wrap:wrap;gap:6px 16px;align-items:center;padding:8px 16px;background:#2b2233;color:#fff}
header.top a{color:#fff;text-decoration:none}
header.top .brand{font-weight:700;letter-spacing:.02em}
header.top nav{display:flex;flex-wrap:wrap;gap:4px 14px;flex:1}
header.top nav a{padding:4px 0;border-bottom:2px solid transparent}
header.top nav a[aria-current=page]{border-bottom-color:#fff}
header.top .me{display:flex;gap:8px;align-items:center;font-size:13px}
header.top select{max-width:160px}
main{max-width:1180px;margin:0 auto;padding:16px}
h1{font-size:20px;margin:4px 0 12px;word-break:break-word}
h2{font-size:16px;margin:20px 0 8px}
h3{font-size:14px;margin:14px 0 6px}
.muted{color:var(--muted)}
.panel{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:12px;margin:0 0 12px}
.row{display:flex;flex-wrap:wrap;gap:8px;align-items:center}
.grow{flex:1}
.btn,button{display:inline-block;font:inherit;padding:5px 11px;border:1px solid var(--line);border-radius:4px;background:#fff;color:var(--fg);cursor:pointer;text-decoration:none;min-height:32px}
.btn:hover,button:hover{border-color:var(--accent);text-decoration:none}
.btn.primary,button.primary{background:var(--accent);border-color:var(--accent);color:var(--accent-fg)}
button.danger{color:var(--err)}
button[disabled]{opacity:.5;cursor:default}
input,select,textarea{font:inherit;padding:5px 8px;border:1px solid var(--line);border-radius:4px;background:#fff;min-height:32px;max-width:100%}
label{display:block;margin:8px 0 4px;font-weight:600}
form.inline{display:inline}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;color:var(--muted);font-weight:600}
.num{text-align:right;white-space:nowrap}
.tabs{display:flex;flex-wrap:wrap;gap:2px;border-bottom:1px solid var(--line);margin-bottom:10px}
.tabs a{padding:6px 10px;text-decoration:none;color:var(--muted);border-bottom:2px solid transparent}
.tabs a[aria-current=page]{color:var(--fg);border-bottom-color:var(--accent);font-weight:600}
.badge{display:inline-block;padding:0 6px;border-radius:9px;font-size:11.5px;line-height:18px;background:var(--code);color:var(--muted);white-space:nowrap;max-width:220px;overflow:hidden;text-overflow:ellipsis;vertical-align:middle}
.lvl{display:inline-block;width:8px;height:8px;border-radius:2px;margin-right:4px;background:var(--muted)}
.lvl-error{background:var(--err)}.lvl-fatal{background:var(--fatal)}.lvl-warning{background:var(--warn)}.lvl-info{background:var(--info)}.lvl-debug{background:var(--muted)}
.regressed{background:#fde8e6;color:var(--err)}
.new{background:#e6f3ff;color:var(--info)}
.ok{color:var(--ok)}
ul.issues{list-style:none;margin:0;padding:0;background:var(--panel);border:1px solid var(--line);border-radius:6px}
ul.issues>li{display:grid;grid-template-columns:24px minmax(0,1fr) 100px 70px 60px 60px;gap:8px;align-items:center;padding:8px 10px;border-bottom:1px solid var(--line)}
ul.issues>li:last-child{border-bottom:0}
ul.issues>li.head{font-size:12px;color:var(--muted);font-weight:600}
.issue-title{font-weight:600;word-break:break-word}
.issue-title a{color:var(--fg);text-decoration:none}
.issue-title a:hover{text-decoration:underline}
.issue-meta{font-size:12px;color:var(--muted);display:flex;flex-wrap:wrap;gap:2px 10px;margin-top:2px}
.culprit{word-break:break-all}
svg.spark rect{fill:var(--accent)}svg.spark rect.zero,svg.bars rect.zero{fill:var(--line)}
svg.bars{width:100%;height:64px}svg.bars rect{fill:var(--accent)}svg.bars text{font-size:9px;fill:var(--muted)}
.rate-good{color:#1a7f37}.rate-fair{color:#9a6700}.rate-poor{color:var(--err)}
.health .stat{display:flex;flex-direction:column;margin-right:24px}.health .stat strong{font-size:20px}
.ticks{display:inline-flex;gap:2px;vertical-align:middle}.tick{display:inline-block;width:6px;height:16px;border-radius:2px;background:var(--line)}
.tick-ok{background:#2da44e}.tick-error{background:var(--err)}.tick-missed{background:#9a6700}.tick-timeout{background:#bc4c00}.tick-in_progress{background:var(--info)}
.status-ok{color:#1a7f37}.status-error,.status-timeout{color:var(--err)}.status-missed{color:#9a6700}
svg.stacked rect.s-trace,svg.stacked rect.s-debug{fill:var(--muted)}svg.stacked rect.s-info{fill:var(--info)}svg.stacked rect.s-warn{fill:var(--warn)}svg.stacked rect.s-error{fill:var(--err)}svg.stacked rect.s-fatal{fill:var(--fatal)}
.lvl-warn{background:var(--warn)}.lvl-trace{background:var(--muted)}table.logs td{vertical-align:top}table.logs details summary{cursor:pointer}form.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}form.filters label{display:flex;flex-direction:column;font-size:.85em}
.grid2{display:grid;grid-template-columns:minmax(0,1fr) 300px;gap:16px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(280px,1fr));gap:12px}
dl.kv{display:grid;grid-template-columns:minmax(90px,max-content) minmax(0,1fr);gap:2px 12px;margin:0}
dl.kv dt{color:var(--muted)}dl.kv dd{margin:0;word-break:break-word}
.exc{border-left:3px solid var(--err);padding-left:10px;margin:10px 0 16px}
.exc h3{margin:0;word-break:break-word}
.exc .value{margin:4px 0 6px;white-space:pre-wrap;word-break:break-word}
.frames{border:1px solid var(--line);border-radius:4px;background:var(--panel)}
.frame{border-bottom:1px solid var(--line)}
.frame:last-child{border-bottom:0}
.frame>summary,.frame>.line{padding:5px 8px;cursor:pointer;word-break:break-all}
.frame.app>summary{background:#f7f5fb}
.frame pre{margin:0;border-radius:0}
.frame .ctx .hl{background:#fff3c4;display:block}
details.sys>summary{padding:5px 8px;color:var(--muted);cursor:pointer}
.tag-bar{height:6px;background:var(--line);border-radius:3px;overflow:hidden}
.tag-bar span{display:block;height:100%;background:var(--accent)}
.crumbs td{font-size:12.5px}
.crumbs .msg{word-break:break-word}
.waterfall{position:relative}
.span-row{display:grid;grid-template-columns:minmax(0,38%) minmax(0,1fr) 64px;gap:8px;align-items:center;padding:3px 0;border-bottom:1px solid var(--line);font-size:12.5px}
.span-name{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.span-track{position:relative;height:16px;background:var(--code);border-radius:2px}
.span-bar{position:absolute;top:2px;height:12px;min-width:2px;background:var(--accent);border-radius:2px}
.span-bar.err{background:var(--err)}
.span-dur{font-size:11.5px;color:var(--muted);text-align:right;white-space:nowrap}
.flash{padding:10px 12px;border-radius:6px;margin-bottom:12px;background:#e8f6f1;border:1px solid #b7e3d3}
.flash.error{background:#fde8e6;border-color:#f5b8b1}
.secret{display:flex;gap:6px;align-items:center;flex-wrap:wrap}
.secret input{flex:1;min-width:200px;font-family:ui-monospace,monospace}
.empty{text-align:center;padding:28px 12px;color:var(--muted)}
.empty pre{text-align:left}
.pager{display:flex;gap:8px;justify-content:flex-end;align-items:center;margin-top:8px}
.auth{max-width:360px;margin:60px auto}
ul.tail{list-style:none;padding:0;margin:0;font:12px/1.5 ui-monospace,monospace}
ul.tail li{padding:2px 6px;border-bottom:1px solid var(--line);white-space:pre-wrap}
ul.tail li.tail-dropped{color:#b42318}ul.tail li.tail-note{color:var(--muted);font-style:italic}
@media (max-width:760px){
 .grid2{grid-template-columns:minmax(0,1fr)}
 ul.issues>li{grid-template-columns:24px minmax(0,1fr) 56px}
 ul.issues>li .wide{display:none}
 main{padding:10px}
 table.stack thead{display:none}
 table.stack tr{display:block;border-bottom:1px solid var(--line);padding:4px 0}
 table.stack td{display:block;border:0;padding:2px 4px}
 .span-row{grid-template-columns:minmax(0,1fr) 56px}.span-row .span-track{grid-column:1/-1;grid-row:2}
}
`;

export const SCRIPT = `(function(){
"use strict";
function q(s,r){return Array.prototype.slice.call((r||document).querySelectorAll(s));}
q("[data-select-all]").forEach(function(all){
  var form=all.form;
  function boxes(){return q("input[type=checkbox][name=id]",form);}
  function sync(){var n=boxes().filter(function(b){return b.checked;}).length;
    q("[data-bulk]",form).forEach(function(b){b.disabled=n===0;});
    var c=form.querySelector("[data-selected-count]");if(c)c.textContent=n?n+" selected":"";}
  all.addEventListener("change",function(){boxes().forEach(function(b){b.checked=all.checked;});sync();});
  boxes().forEach(function(b){b.addEventListener("change",sync);});
  sync();
});
q("[data-copy]").forEach(function(btn){
  btn.addEventListener("click",function(){
    var el=document.getElementById(btn.getAttribute("data-copy"));if(!el)return;
    var text=el.value!==undefined?el.value:el.textContent;
    function done(){var t=btn.textContent;btn.textContent="Copied";setTimeout(function(){btn.textContent=t;},1500);}
    if(navigator.clipboard&&window.isSecureContext){navigator.clipboard.writeText(text).then(done,function(){el.select();document.execCommand("copy");done();});}
    else{el.select();document.execCommand("copy");done();}
  });
});
document.addEventListener("submit",function(e){
  var sub=e.submitter,msg=(sub&&sub.getAttribute("data-confirm"))||e.target.getAttribute("data-confirm");
  if(msg&&!window.confirm(msg))e.preventDefault();
});
q("select[data-autosubmit]").forEach(function(s){s.addEventListener("change",function(){s.form.submit();});});
q("[data-tail]").forEach(function(root){
  var list=root.querySelector("[data-tail-list]"),state=root.querySelector("[data-tail-state]");
  var pause=root.querySelector("[data-tail-pause]"),kind=root.querySelector("[data-tail-kind]"),level=root.querySelector("[data-tail-level]");
  var paused=false,held=[];
  function row(cls,text){var li=document.createElement("li");li.className=cls;li.textContent=text;list.insertBefore(li,list.firstChild);
    while(list.children.length>200)list.removeChild(list.lastChild);}
  function show(it){
    if(kind.value&&it.kind!==kind.value)return;
    if(level.value&&it.level!==level.value)return;
    var t=new Date(it.at*1000).toISOString().slice(11,19);
    row("tail-"+it.status,t+"  "+it.status+"  "+it.kind+(it.quantity>1?" ×"+it.quantity:"")+(it.level?"  "+it.level:"")+
      (it.title?"  "+it.title:"")+(it.status==="dropped"?"  ("+it.outcome+(it.reason?": "+it.reason:"")+")":"")+(it.eventId?"  "+it.eventId:""));}
  pause.addEventListener("click",function(){paused=!paused;pause.textContent=paused?"Resume":"Pause";
    if(!paused){held.forEach(show);held=[];}});
  var url=(location.protocol==="https:"?"wss://":"ws://")+location.host+root.getAttribute("data-tail");
  function connect(){var ws=new WebSocket(url);
  ws.onopen=function(){state.textContent="Live";};
  ws.onclose=function(e){if(e.code===4401){state.textContent="Reconnecting…";setTimeout(connect,500);}
    else state.textContent="Disconnected (reload to reconnect)";};
  ws.onmessage=function(e){var m=JSON.parse(e.data);
    if(m.type==="items")m.items.forEach(function(it){if(paused)held.push(it);else show(it);});
    else if(m.type==="sampled")row("tail-note",m.skipped+" more items in that second were not shown (sampled)");};}
  connect();
});
})();`;
